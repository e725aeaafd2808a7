/*
 * change.h: inside outputs/, the change map (change.c): the people
 * counted per commune, the previous count edition against the latest.
 */
#ifndef TP_CHANGE_H
#define TP_CHANGE_H

#include <sqlite3.h>

#include "outputs/mapdata.h"

/*
 * Writes change.png, change.svg and change.pdf into the existing folder
 * dir when the store's trends table holds two editions or more (else
 * nothing), from the trends as published (a public view of store) and
 * d's communes.  Returns 0, TP_ESTORE when the store cannot be read,
 * TP_EOUTPUT when a file cannot be written (nothing half-written left).
 */
int tp_write_change_map(const tp_mapdata *d, sqlite3 *store, const char *dir);

/* Files from to to - 1 of those three (0 png, 1 svg, 2 pdf), the trends
 * read again at each call. */
int tp_write_change_map_files(const tp_mapdata *d, sqlite3 *store, const char *dir, int from,
			      int to);

#endif
