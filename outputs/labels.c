/*
 * labels.c: where the maps' labels go (labels.h).
 *
 * The rule is the simple one cartographers start from: a few candidate
 * positions per label, tried in a fixed order of preference, the first
 * that overlaps nothing already placed (nor a blocked box, nor the
 * frame's edge) wins.  Labels placed first win ties, so callers place the
 * important ones first (a commune's best candidates before its last).
 * The order is fixed and nothing reads the clock, so one map gives the
 * same placement, and the same bytes, every run.
 */
#include "outputs/labels.h"
#include "geo/array.h"
#include "geo/error.h"
#include "outputs/draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 4 /* lines of one label */
#define PAD 0.6     /* points kept clear between two labels */

/* Right, left, above, below, then the diagonals: the order positions are tried in. */
static const double dirs[8][2] = {{1, 0}, {-1, 0}, {0, -1}, {0, 1},
				  {1, -1}, {-1, -1}, {1, 1}, {-1, 1}};

/* Sizes tried, as a share of the label's own size. */
static const double scales[] = {1.0, 0.85, 0.7};

void tp_labels_init(tp_labels *L, double x0, double y0, double x1, double y1)
{
	memset(L, 0, sizeof(*L));
	L->frame[0] = x0;
	L->frame[1] = y0;
	L->frame[2] = x1;
	L->frame[3] = y1;
}

void tp_labels_dispose(tp_labels *L)
{
	size_t i;

	for (i = 0; i < L->n; i++)
		free(L->placed[i].text);
	free(L->placed);
	free(L->blocked);
	memset(L, 0, sizeof(*L));
}

int tp_labels_block(tp_labels *L, double x0, double y0, double x1, double y1)
{
	int rc = tp_array_room(&L->blocked, &L->blocked_cap, L->nblocked, sizeof(*L->blocked), 8);

	if (rc)
		return rc;
	L->blocked[L->nblocked][0] = fmin(x0, x1);
	L->blocked[L->nblocked][1] = fmin(y0, y1);
	L->blocked[L->nblocked][2] = fmax(x0, x1);
	L->blocked[L->nblocked][3] = fmax(y0, y1);
	L->nblocked++;
	return TP_OK;
}

static int overlap(const double a[4], const double b[4])
{
	return a[0] < b[2] + PAD && b[0] < a[2] + PAD && a[1] < b[3] + PAD && b[1] < a[3] + PAD;
}

/* 1 when box is inside the frame and covers no blocked box and no label. */
static int fits(const tp_labels *L, const double box[4])
{
	size_t i;

	if (box[0] < L->frame[0] || box[1] < L->frame[1] || box[2] > L->frame[2] ||
	    box[3] > L->frame[3])
		return 0;
	for (i = 0; i < L->nblocked; i++)
		if (overlap(box, L->blocked[i]))
			return 0;
	for (i = 0; i < L->n; i++)
		if (overlap(box, L->placed[i].box))
			return 0;
	return 1;
}

/* The box of a label w by h whose centre is cx, cy. */
static void centre_box(double box[4], double cx, double cy, double w, double h)
{
	box[0] = cx - w / 2;
	box[1] = cy - h / 2;
	box[2] = cx + w / 2;
	box[3] = cy + h / 2;
}

/*
 * The first position that fits for a label w by h, near the anchor: on
 * it (unless around), then beside it in the 8 directions, one and two
 * steps out.  1 with box set, or 0.
 */
static int near_position(const tp_labels *L, double ax, double ay, double gap, double w,
			 double h, int around, double box[4])
{
	int k, i;

	if (!around) {
		centre_box(box, ax, ay, w, h);
		if (fits(L, box))
			return 1;
	}
	for (k = 1; k <= 2; k++)
		for (i = 0; i < 8; i++) {
			/* around: the box's near edge just clear of the disc; else shifted
			 * by a third of its width or half its height per step */
			double ox = around ? gap + 1 + w / 2 + (k - 1) * 3 : k * w / 3;
			double oy = around ? gap + 1 + h / 2 + (k - 1) * 3 : k * h / 2;
			centre_box(box, ax + dirs[i][0] * ox, ay + dirs[i][1] * oy, w, h);
			if (fits(L, box))
				return 1;
		}
	return 0;
}

/* Further away, on rings of 16 directions: the label then needs a leader line. */
static int far_position(const tp_labels *L, double ax, double ay, double gap, double w,
			double h, double box[4])
{
	double dist;
	int i;

	for (dist = gap + 10; dist <= gap + 90; dist += 8)
		for (i = 0; i < 16; i++) {
			double t = i * M_PI / 8;
			centre_box(box, ax + cos(t) * (dist + w / 2), ay - sin(t) * (dist + h / 2), w, h);
			if (fits(L, box))
				return 1;
		}
	return 0;
}

/* Sizes of the lines at scale s: widths and heights into w[], h[], the whole into *W, *H. */
static void measure(cairo_t *cr, const tp_label_line *lines, int n, double s, double *w,
		    double *h, double *W, double *H)
{
	int i;

	*W = *H = 0;
	for (i = 0; i < n; i++) {
		tp_text_size(cr, lines[i].text, lines[i].size * s, lines[i].flags, &w[i], &h[i]);
		*W = fmax(*W, w[i]);
		*H += h[i];
	}
}

/* A thin line from the anchor's edge (gap out) to the nearest point of box. */
static void leader_line(cairo_t *cr, double ax, double ay, double gap, const double box[4])
{
	double bx = fmin(fmax(ax, box[0]), box[2]), by = fmin(fmax(ay, box[1]), box[3]);
	double dx = bx - ax, dy = by - ay, len = hypot(dx, dy);

	if (len <= gap)
		return;
	cairo_save(cr);
	cairo_new_path(cr);
	cairo_move_to(cr, ax + dx / len * gap, ay + dy / len * gap);
	cairo_line_to(cr, bx, by);
	cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
	cairo_set_line_width(cr, 0.4);
	cairo_stroke(cr);
	cairo_restore(cr);
}

int tp_labels_place(tp_labels *L, cairo_t *cr, double ax, double ay, double gap,
		    const tp_label_line *lines, int n, int options, int *placed)
{
	double w[MAX_LINES], h[MAX_LINES], W, H, box[4], s = 1, y;
	size_t len = 0;
	int i, found = 0, leader = 0, rc;
	char *text;

	*placed = 0;
	if (n > MAX_LINES)
		n = MAX_LINES;
	for (i = 0; i < (int)(sizeof(scales) / sizeof(scales[0])) && !found; i++) {
		s = scales[i];
		measure(cr, lines, n, s, w, h, &W, &H);
		found = near_position(L, ax, ay, gap, W, H, options & TP_LABEL_AROUND, box);
	}
	if (!found && !(options & TP_LABEL_NO_LEADER)) {
		s = scales[1];
		measure(cr, lines, n, s, w, h, &W, &H);
		found = leader = far_position(L, ax, ay, gap, W, H, box);
	}
	if (!found) {
		L->left_out++;
		return TP_OK;
	}
	rc = tp_array_room(&L->placed, &L->cap, L->n, sizeof(*L->placed), 32);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		len += strlen(lines[i].text) + 1;
	if (!(text = malloc(len + 1)))
		return tp_error_set(TP_ERROR, "out of memory");
	text[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(text, "\n");
		strcat(text, lines[i].text);
	}
	L->placed[L->n].text = text;
	memcpy(L->placed[L->n].box, box, sizeof(box));
	L->placed[L->n].leader = leader;
	L->n++;
	if (leader)
		leader_line(cr, ax, ay, gap, box);
	y = box[1];
	for (i = 0; i < n; i++) {
		tp_text(cr, (box[0] + box[2]) / 2, y, 0, lines[i].text, lines[i].size * s,
			lines[i].flags | TP_TEXT_CENTER | TP_TEXT_HALO);
		y += h[i];
	}
	*placed = 1;
	return TP_OK;
}
