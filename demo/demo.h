/*
 * demo.h: the generator of tremplin's demo inputs, a schematic Brussels.
 *
 * `tremplin demo DIR` writes a complete, made-up set of inputs so that a
 * newcomer can run the whole pipeline without any data: the 19 communes
 * (real names, NIS codes and populations, schematic boundaries), the count
 * zones with the Nov 2024 Bruss'help totals per category, the empty
 * dwellings with the SLRB totals per reason, and the config that reads
 * them.  Everything is in EPSG:31370.
 */
#ifndef TP_DEMO_H
#define TP_DEMO_H

/*
 * Writes communes.gpkg, vacancies.csv, zones.gpkg and tremplin.ini into
 * dir (created if missing).  records > 0 asks for that many vacancy
 * records (the benchmark's sizes: see demo/vacancies.c), 0 for the default
 * 600.  Deterministic: the same seed gives byte-identical CSV/INI and
 * identical features.  Returns 0 or a negative
 * TP_E* code after tp_error_set() (geo/error.h) with a message naming the
 * file.  Each file is written under a temporary name and renamed over an
 * existing one only when complete.
 */
int tp_demo_write(const char *dir, unsigned long seed, long records);

#endif
