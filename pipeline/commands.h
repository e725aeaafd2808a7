/*
 * commands.h: the address-scale commands, outside the staged pipeline.
 *
 * `tremplin join` counts points per polygon (every address of a region in
 * its statistical sector, say) and `tremplin apportion` shares a value of
 * source polygons onto target polygons by area.  They use the same geo/
 * engines as the locate and apportion stages, on whole files at once.
 */
#ifndef TP_COMMANDS_H
#define TP_COMMANDS_H

typedef struct {
	const char *key;      /* polygons' key field, NULL: the FID */
	const char *layer1;   /* layer of the first file, NULL: its first layer */
	const char *layer2;   /* layer of the second file, NULL: its first layer */
	const char *x, *y;    /* join: the points' coordinate columns, NULL: the geometry */
	const char *s_srs;    /* join: the points' CRS, NULL: the layer's */
	const char *value;    /* apportion: the sources' numeric field */
	const char *out;      /* CSV written, NULL: standard output */
	int threads;          /* join: worker threads (>= 1) */
	int quiet;            /* no timings on stderr */
	char **lco;           /* join to a GeoPackage: layer creation options (--lco) */
} tp_cmd_opts;

/* Counts the points of `points` in each polygon of `polygons`; the CSV has
 * key,count in the polygons' order.  When o->out ends in .gpkg, a
 * GeoPackage is written instead: the polygons with their counts and every
 * point with its polygon's key (tp_write_located).  Timings go to stderr. */
int tp_cmd_join(const char *polygons, const char *points, const tp_cmd_opts *o);

/* Shares each source's value over the targets it overlaps, by area; the
 * CSV has key,value per target.  Reports the value conserved. */
int tp_cmd_apportion(const char *sources, const char *targets, const tp_cmd_opts *o);

#endif
