/*
 * check.h: `tremplin check -c CONFIG`, every input read and validated
 * without running the pipeline's outputs.
 */
#ifndef TP_CHECK_CMD_H
#define TP_CHECK_CMD_H

#include "pipeline/config.h"

/*
 * Reads every input of cfg, runs the stages that validate them (load
 * through apportion) in a working store held in memory, and prints a report
 * per input to stdout: format, layer, CRS and extent, fields mapped and
 * columns ignored, rows read, accepted and rejected, rejects by reason with
 * examples, and how records were geocoded.  Nothing is written to disk.
 * Returns 0 when every input is usable, else the TP_E* code of the first
 * unusable one (TP_EINPUT when an input has no usable row), with its
 * message in the last-error slot.
 */
int tp_check(tp_config *cfg);

#endif
