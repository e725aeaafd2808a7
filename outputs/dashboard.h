/*
 * dashboard.h: what the dashboard's writer (dashboard.c) and its script
 * (dashboard_script.c) share.  Internal to outputs/.
 */
#ifndef TP_DASHBOARD_H
#define TP_DASHBOARD_H

#include <sqlite3.h>
#include <stdio.h>

/* Candidate rows per page of the list: the most its table holds in the DOM. */
#define TP_DASHBOARD_PAGE 50

/* The page's script, run once its data (<script id="tp-data">) is in place. */
extern const char tp_dashboard_script[];

/* Writes s as a JSON string onto f, a "</" written "<\/" so that no value
 * can close the <script> element holding the page's data. */
void tp_dashboard_json_str(FILE *f, const char *s);

/* The data keys of the count's editions and of the occupation register
 * (dashboard_data.c): see there. */
int tp_dashboard_trends(FILE *f, sqlite3 *store, const char *lang);
int tp_dashboard_register(FILE *f, sqlite3 *store, const char *lang);

/* tp_write_dashboard() (render.h) from the maps' data d, already loaded. */
struct tp_mapdata;
int tp_dashboard_write(const struct tp_mapdata *d, sqlite3 *store, const char *path);

#endif
