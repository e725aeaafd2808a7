/*
 * labels.h: inside outputs/, where the maps' labels go (labels.c): commune
 * names and figures on the overview, neighbours' names and candidates'
 * ranks on the atlas.  No label is ever drawn over another.
 *
 * A label is tried at its anchor (or just beside it), then at positions
 * around it a little further out, then smaller, then further away with a
 * leader line back to the anchor; when nothing fits, it is not drawn and
 * counted as left out.  Boxes that no label may cover (the scale bar, the
 * north arrow, the run's note, the regional total) are blocked first.
 * Labels are drawn with a white halo, after the candidates' discs, so a
 * disc under a label still shows around it.
 */
#ifndef TP_LABELS_H
#define TP_LABELS_H

#include <stddef.h>

#include <cairo.h>

/* A label as placed: its text and the box it covers, in page units. */
typedef struct tp_label {
	char *text;     /* the text drawn, lines joined by "\n" */
	double box[4];  /* x0, y0, x1, y1: left, top, right, bottom */
	int leader;     /* 1: drawn away from its anchor, with a leader line */
} tp_label;

/* The labels of one map, and the boxes they keep clear of. */
typedef struct tp_labels {
	double frame[4];     /* labels stay inside: x0, y0, x1, y1 */
	tp_label *placed;    /* labels drawn, in the order placed */
	size_t n, cap;       /* placed: count, capacity */
	double (*blocked)[4];/* boxes no label may cover */
	size_t nblocked, blocked_cap; /* blocked: count, capacity */
	size_t left_out;     /* labels that found no room, not drawn */
} tp_labels;

/* One line of a label: text, size in points, TP_TEXT_* flags (draw.h). */
typedef struct tp_label_line {
	const char *text; /* UTF-8, may hold "\n" */
	double size;      /* points, before any shrinking */
	int flags;        /* TP_TEXT_BOLD, TP_TEXT_ITALIC */
} tp_label_line;

enum {
	TP_LABEL_AROUND = 1,    /* never on the anchor: beside it (a disc's number) */
	TP_LABEL_NO_LEADER = 2, /* dropped rather than moved away with a leader line */
};

/* Starts L for labels inside the page rectangle x0, y0, x1, y1. */
void tp_labels_init(tp_labels *L, double x0, double y0, double x1, double y1);

/* Frees what L holds; L may then be initialised again. */
void tp_labels_dispose(tp_labels *L);

/* Keeps every later label off the box x0, y0, x1, y1.  0 or TP_ERROR (out of memory). */
int tp_labels_block(tp_labels *L, double x0, double y0, double x1, double y1);

/*
 * Places and draws (centred, with a halo, in cr's current colour) the
 * label made of lines[0..n) stacked, for the anchor ax, ay; gap is the
 * room to leave around the anchor (a disc's radius) with TP_LABEL_AROUND.
 * Sets *placed to 1 when drawn, 0 when left out (counted in
 * L->left_out).  Returns 0 or TP_ERROR (out of memory).
 */
int tp_labels_place(tp_labels *L, cairo_t *cr, double ax, double ay, double gap,
		    const tp_label_line *lines, int n, int options, int *placed);

#endif
