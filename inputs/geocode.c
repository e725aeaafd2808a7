/*
 * geocode.c: matching addresses against the address reference (geocode.h).
 *
 * The reference is read once into an array of entries, one per address and
 * street language (an address with a French and a Dutch name gives two),
 * sorted by normalised street name, postcode and house number.  A lookup is
 * a binary search on the street name, then a scan of that street's numbers.
 * Addresses are parsed from folded tokens: the last number-like token is the
 * house number (or the first token, "12 rue X"), a box marker ends the
 * street part, a four-digit token after the house number is the postcode.
 */
#include "inputs/geocode.h"
#include "geo/array.h"
#include "inputs/source.h"
#include "inputs/text.h"
#include "geo/error.h"
#include "geo/geo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ogr_api.h>

#define MAXTOK 32
#define TOKLEN 64
#define KEYLEN 256

enum { K_EXACT, K_NORMALISED, K_NEAREST, K_NONE };
static const char *const kind_names[] = {"exact", "normalised", "nearest"};

typedef struct {
	char *key;          /* normalised street name */
	char *raw;          /* street name as the reference writes it */
	char postcode[12];  /* postcode as text */
	char num[16];       /* folded house number ("12", "12a") */
	long n;             /* its leading whole number */
	double x, y;        /* the point, in the geocoder's CRS */
} entry;

struct tp_geocoder {
	entry *e;         /* entries, sorted by key, postcode, n, num */
	size_t n;         /* entries */
	size_t naddr;     /* addresses read */
	char crs[4096];   /* CRS of the points */
};

/* ---- parsing --------------------------------------------------------- */

/* Abbreviations and their canonical form, token by token (folded). */
static const char *const abbrev[][2] = {
	{"av", "avenue"}, {"ave", "avenue"}, {"avn", "avenue"},
	{"bd", "boulevard"}, {"bld", "boulevard"}, {"blvd", "boulevard"}, {"boul", "boulevard"},
	{"bvd", "boulevard"},
	{"ch", "chaussee"}, {"chee", "chaussee"}, {"chs", "chaussee"}, {"chauss", "chaussee"},
	{"chau", "chaussee"},
	{"r", "rue"}, {"pl", "place"}, {"sq", "square"}, {"imp", "impasse"}, {"gal", "galerie"},
	{"qu", "quai"}, {"rte", "route"}, {"all", "allee"}, {"sent", "sentier"},
	{"saint", "st"}, {"sint", "st"}, {"sainte", "ste"},
	{"str", "straat"}, {"ln", "laan"}, {"stwg", "steenweg"}, {"stw", "steenweg"},
	{"steenw", "steenweg"}, {"pln", "plein"}, {"kaai", "kaai"},
};

/* Dutch street words written at the end of a compound ("Wetstr."). */
static const char *const suffixes[][2] = {
	{"stwg", "steenweg"}, {"steenw", "steenweg"}, {"str", "straat"}, {"ln", "laan"},
	{"pln", "plein"},
};

static const char *const box_words[] = {"bte", "boite", "bt", "bus", "box", "b"};

typedef struct {
	char tok[MAXTOK][TOKLEN];  /* folded tokens */
	int ntok;                  /* tokens */
	int end;                   /* street and number lie before this token */
	int box;                   /* token holding the box, -1 */
	int post;                  /* token holding the postcode, -1 */
} parsed;

static void tokenize(const char *s, parsed *p)
{
	char buf[1024], *save = NULL, *t;

	tp_text_fold(s, buf, sizeof(buf), 1);
	p->ntok = 0;
	for (t = strtok_r(buf, " ", &save); t && p->ntok < MAXTOK; t = strtok_r(NULL, " ", &save))
		tp_text_copy(p->tok[p->ntok++], TOKLEN, t);
}

static int is_num(const char *t)
{
	return isdigit((unsigned char)t[0]);
}

static void parse(const char *address, parsed *p)
{
	int i, seen_num = 0;

	tokenize(address, p);
	p->end = p->ntok;
	p->box = p->post = -1;
	for (i = 0; i < p->ntok; i++) {
		size_t k;
		if (i > 0 && seen_num && p->box < 0) {
			for (k = 0; k < sizeof(box_words) / sizeof(box_words[0]); k++)
				if (!strcmp(p->tok[i], box_words[k]) && i + 1 < p->ntok &&
				    (strcmp(p->tok[i], "b") || is_num(p->tok[i + 1]))) {
					p->box = i + 1;
					if (i < p->end)
						p->end = i;
					break;
				}
			if (p->box == i + 1) {
				i++;
				continue;
			}
		}
		if (seen_num && p->post < 0 && strlen(p->tok[i]) == 4 && is_num(p->tok[i]) &&
		    strspn(p->tok[i], "0123456789") == 4 && atoi(p->tok[i]) >= 1000) {
			p->post = i;
			if (i < p->end)
				p->end = i;
			continue;
		}
		if (is_num(p->tok[i]) && i < p->end)
			seen_num = 1;
	}
}

/* Canonical street text of tokens [a, b). */
static void street_key(const parsed *p, int a, int b, char *out, size_t outlen)
{
	size_t used = 0, k;
	int i;

	out[0] = '\0';
	for (i = a; i < b; i++) {
		const char *t = p->tok[i];
		char word[TOKLEN * 2];
		size_t wl = strlen(t), sep = used ? 1 : 0, room;
		char *o;
		memcpy(word, t, wl + 1);
		for (k = 0; k < sizeof(abbrev) / sizeof(abbrev[0]); k++)
			if (!strcmp(t, abbrev[k][0])) {
				wl = strlen(abbrev[k][1]);
				memcpy(word, abbrev[k][1], wl + 1);
				break;
			}
		if (k == sizeof(abbrev) / sizeof(abbrev[0])) {
			size_t n = wl, j;
			for (j = 0; j < sizeof(suffixes) / sizeof(suffixes[0]); j++) {
				size_t m = strlen(suffixes[j][0]);
				if (n > m + 2 && !strcmp(t + n - m, suffixes[j][0])) {
					size_t l = strlen(suffixes[j][1]);
					memcpy(word + n - m, suffixes[j][1], l + 1);
					wl = n - m + l;
					break;
				}
			}
		}
		/* a space then the word, cut at outlen - 1 bytes as snprintf would */
		room = outlen - used - 1;
		o = out + used;
		if (sep && room) {
			*o++ = ' ';
			room--;
		}
		memcpy(o, word, wl < room ? wl : room);
		o[wl < room ? wl : room] = '\0';
		used += sep + wl;
		if (used >= outlen) {
			out[outlen - 1] = '\0';
			return;
		}
	}
}

/* The normalised form of a street name from the reference. */
static void name_key(const char *name, char *out, size_t outlen)
{
	parsed p;

	tokenize(name, &p);
	street_key(&p, 0, p.ntok, out, outlen);
}

/* A split of a parsed address into street and house number. */
typedef struct {
	char street[KEYLEN];  /* canonical street */
	char num[TOKLEN];     /* folded number, with a one-letter suffix joined */
} split;

/* The ways to read p: street then number (usual), or number then street. */
static int splits(const parsed *p, split out[2])
{
	int n = 0, i, last = -1;

	for (i = 1; i < p->end; i++)
		if (is_num(p->tok[i]))
			last = i;
	if (last > 0) {
		street_key(p, 0, last, out[n].street, KEYLEN);
		tp_text_copy(out[n].num, TOKLEN, p->tok[last]);
		if (last + 1 < p->end && strlen(p->tok[last + 1]) == 1 &&
		    isalpha((unsigned char)p->tok[last + 1][0]) && strlen(out[n].num) + 1 < TOKLEN)
			strcat(out[n].num, p->tok[last + 1]);
		n++;
	}
	if (p->end > 1 && is_num(p->tok[0])) {
		street_key(p, 1, p->end, out[n].street, KEYLEN);
		tp_text_copy(out[n].num, TOKLEN, p->tok[0]);
		n++;
	}
	return n;
}

/* part[0]|part[1]|part[2]|part[3] into out, cut at outlen - 1 bytes as
 * snprintf would (a key for every record read). */
static void join_key(char *out, size_t outlen, const char *const part[4])
{
	size_t used = 0, n;
	int i;

	for (i = 0; i < 4; i++) {
		if (i && used + 1 < outlen)
			out[used++] = '|';
		n = strlen(part[i]);
		if (n > outlen - 1 - used)
			n = outlen - 1 - used;
		memcpy(out + used, part[i], n);
		used += n;
	}
	out[used] = '\0';
}

void tp_address_key(const char *address, const char *postcode, char *out, size_t outlen)
{
	parsed p;
	split s[2];
	char pc[TOKLEN] = "";
	const char *part[4];

	parse(address, &p);
	if (p.post >= 0)
		tp_text_copy(pc, sizeof(pc), p.tok[p.post]);
	else if (postcode)
		tp_text_fold(postcode, pc, sizeof(pc), 0);
	if (splits(&p, s) == 0) {
		tp_text_fold(address, out, outlen, 1);
		return;
	}
	part[0] = s[0].street;
	part[1] = s[0].num;
	part[2] = p.box >= 0 ? p.tok[p.box] : "";
	part[3] = pc;
	join_key(out, outlen, part);
}

void tp_address_key_number(const char *key, char *out, size_t len)
{
	const char *a = strchr(key, '|'), *b = a ? strchr(a + 1, '|') : NULL;
	const char *c = b ? strchr(b + 1, '|') : NULL;

	out[0] = '\0';
	if (a && c && c - a - 1 > 0 && (size_t)(c - a - 1) < len) {
		memcpy(out, a + 1, (size_t)(c - a - 1));
		out[c - a - 1] = '\0';
	}
	if (out[0] == '|')
		out[0] = '\0';
}

/* ---- the reference --------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (!c)
		c = strcmp(x->postcode, y->postcode);
	if (!c)
		c = (x->n > y->n) - (x->n < y->n);
	if (!c)
		c = strcmp(x->num, y->num);
	return c;
}

static int add_entry(tp_geocoder *gc, size_t *cap, const char *name, const char *num,
		     const char *postcode, double x, double y)
{
	char key[KEYLEN];
	entry *e;

	name_key(name, key, sizeof(key));
	if (!key[0])
		return TP_OK;
	if (tp_array_room(&gc->e, cap, gc->n, sizeof(*gc->e), 1024))
		return TP_ERROR;
	e = &gc->e[gc->n];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	e->raw = strdup(name);
	if (!e->key || !e->raw) {
		free(e->key);
		free(e->raw);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	snprintf(e->postcode, sizeof(e->postcode), "%s", postcode);
	tp_text_fold(num, e->num, sizeof(e->num), 1);
	e->n = strtol(e->num, NULL, 10);
	e->x = x;
	e->y = y;
	gc->n++;
	return TP_OK;
}

/* Column index of name in fd, or -1; required columns fail. */
static int ref_column(OGRFeatureDefnH fd, const char *name, const char *key,
		      const char *path, int *rc)
{
	int i = OGR_FD_GetFieldIndex(fd, name);

	if (i < 0 && *rc == TP_OK && key)
		*rc = tp_error_set(TP_EINPUT,
				   "%s: no column '%s' for '%s' in the address reference; name it "
				   "in section [addresses] as '%s = COLUMN'",
				   path, name, key, key);
	return i;
}

int tp_geocoder_open(tp_geocoder **out, const tp_address_cfg *cfg, const char *dst_crs)
{
	tp_geocoder *gc = NULL;
	tp_source src = {0};
	tp_geo *g = NULL;
	tp_transform *t = NULL;
	OGRLayerH layer;
	OGRFeatureDefnH fd;
	OGRFeatureH f;
	size_t cap = 0;
	int rc = TP_OK, cfr, cnl, cnum, cpc;
	char src_crs[4096];

	*out = NULL;
	gc = calloc(1, sizeof(*gc));
	if (!gc)
		return tp_error_set(TP_ERROR, "out of memory");
	rc = tp_source_open(&src, cfg->path, "addresses");
	if (rc)
		goto done;
	layer = cfg->layer && cfg->layer[0] ? GDALDatasetGetLayerByName(src.ds, cfg->layer)
					    : GDALDatasetGetLayer(src.ds, 0);
	if (!layer) {
		rc = tp_error_set(TP_EINPUT, "%s: no layer '%s' (section [addresses])", cfg->path,
				  cfg->layer ? cfg->layer : "");
		goto done;
	}
	fd = OGR_L_GetLayerDefn(layer);
	cfr = ref_column(fd, cfg->street_fr ? cfg->street_fr : "street_fr",
			 cfg->street_fr ? "street_fr" : NULL, cfg->path, &rc);
	cnl = ref_column(fd, cfg->street_nl ? cfg->street_nl : "street_nl",
			 cfg->street_nl ? "street_nl" : NULL, cfg->path, &rc);
	cnum = ref_column(fd, cfg->number ? cfg->number : "number", "number", cfg->path, &rc);
	cpc = ref_column(fd, cfg->postcode ? cfg->postcode : "postcode", "postcode", cfg->path,
			 &rc);
	if (!rc && cfr < 0 && cnl < 0)
		rc = tp_error_set(TP_EINPUT,
				  "%s: the address reference has neither a 'street_fr' nor a "
				  "'street_nl' column; name them in section [addresses]",
				  cfg->path);
	if (rc)
		goto done;
	if (!tp_source_layer_crs(layer, src_crs, sizeof(src_crs))) {
		if (!cfg->crs || !cfg->crs[0]) {
			rc = tp_error_set(TP_EINPUT,
					  "%s: the address reference declares no CRS; add 'crs = "
					  "EPSG:31370' (or the right code) to section [addresses]",
					  cfg->path);
			goto done;
		}
		snprintf(src_crs, sizeof(src_crs), "%s", cfg->crs);
	}
	snprintf(gc->crs, sizeof(gc->crs), "%s", dst_crs ? dst_crs : src_crs);
	rc = tp_geo_new(&g);
	if (!rc)
		rc = tp_transform_new(&t, g, src_crs, gc->crs);
	if (rc) {
		rc = tp_error_wrap(rc, "%s (address reference)", cfg->path);
		goto done;
	}
	OGR_L_ResetReading(layer);
	while (!rc && (f = OGR_L_GetNextFeature(layer)) != NULL) {
		OGRGeometryH geom = OGR_F_GetGeometryRef(f);
		const char *num = cnum >= 0 ? OGR_F_GetFieldAsString(f, cnum) : "";
		const char *pc = cpc >= 0 ? OGR_F_GetFieldAsString(f, cpc) : "";
		double x, y;

		if (geom && wkbFlatten(OGR_G_GetGeometryType(geom)) == wkbPoint &&
		    !OGR_G_IsEmpty(geom) && num[0]) {
			x = OGR_G_GetX(geom, 0);
			y = OGR_G_GetY(geom, 0);
			if (tp_transform_xy(t, &x, &y) == TP_OK) {
				char fr[KEYLEN] = "", nl[KEYLEN] = "";
				if (cfr >= 0 && OGR_F_IsFieldSetAndNotNull(f, cfr))
					snprintf(fr, sizeof(fr), "%s", OGR_F_GetFieldAsString(f, cfr));
				if (cnl >= 0 && OGR_F_IsFieldSetAndNotNull(f, cnl))
					snprintf(nl, sizeof(nl), "%s", OGR_F_GetFieldAsString(f, cnl));
				if (fr[0])
					rc = add_entry(gc, &cap, fr, num, pc, x, y);
				if (!rc && nl[0] && strcmp(fr, nl))
					rc = add_entry(gc, &cap, nl, num, pc, x, y);
				gc->naddr++;
			}
		}
		OGR_F_Destroy(f);
	}
	tp_error_clear();
	if (!rc && gc->n == 0)
		rc = tp_error_set(TP_EINPUT, "%s: the address reference holds no usable address "
				  "(a point, a street name and a number)", cfg->path);
	if (!rc)
		qsort(gc->e, gc->n, sizeof(*gc->e), entry_cmp);
done:
	tp_transform_free(t);
	tp_geo_free(g);
	tp_source_close(&src);
	if (rc) {
		tp_geocoder_free(gc);
		return rc;
	}
	*out = gc;
	return TP_OK;
}

void tp_geocoder_free(tp_geocoder *gc)
{
	size_t i;

	if (!gc)
		return;
	for (i = 0; i < gc->n; i++) {
		free(gc->e[i].key);
		free(gc->e[i].raw);
	}
	free(gc->e);
	free(gc);
}

const char *tp_geocoder_crs(const tp_geocoder *gc)
{
	return gc->crs;
}

/* ---- matching -------------------------------------------------------- */

/* First entry whose key is >= key. */
static size_t lower_bound(const tp_geocoder *gc, const char *key)
{
	size_t lo = 0, hi = gc->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(gc->e[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Finds num among entries [a, b) of one street; the kind of match or K_NONE. */
static int match_number(const entry *e, size_t a, size_t b, const char *num, size_t *hit)
{
	char part[2][TOKLEN];
	long k = strtol(num, NULL, 10), best = -1;
	size_t i;
	int np = 0, pass;
	const char *sep = strpbrk(num, "-/");

	for (i = a; i < b; i++)
		if (!strcmp(e[i].num, num)) {
			*hit = i;
			return K_EXACT;
		}
	if (sep) {
		snprintf(part[np++], TOKLEN, "%ld", k);
		snprintf(part[np++], TOKLEN, "%ld", strtol(sep + 1, NULL, 10));
	} else if (strspn(num, "0123456789") != strlen(num)) {
		snprintf(part[np++], TOKLEN, "%ld", k);
	}
	for (pass = 0; pass < np; pass++)
		for (i = a; i < b; i++)
			if (!strcmp(e[i].num, part[pass])) {
				*hit = i;
				return K_NORMALISED;
			}
	/* nearest: same parity first, then any */
	for (pass = 0; pass < 2; pass++) {
		for (i = a; i < b; i++) {
			long d = labs(e[i].n - k);
			if (d > TP_GEOCODE_MAX_GAP || (pass == 0 && d % 2))
				continue;
			if (best < 0 || d < best) {
				best = d;
				*hit = i;
			}
		}
		if (best >= 0)
			return K_NEAREST;
	}
	return K_NONE;
}

/* Appends the closest street names to key into buf. */
static void closest_streets(const tp_geocoder *gc, const char *key, char *buf, size_t len)
{
	size_t best[3] = {0, 0, 0}, i, used;
	int dist[3] = {1 << 30, 1 << 30, 1 << 30}, k;

	for (i = 0; i < gc->n; i++) {
		int d;
		if (i > 0 && !strcmp(gc->e[i].raw, gc->e[i - 1].raw) &&
		    !strcmp(gc->e[i].postcode, gc->e[i - 1].postcode))
			continue;
		d = tp_text_distance(key, gc->e[i].key);
		for (k = 0; k < 3; k++) {
			if (d < dist[k]) {
				memmove(&dist[k + 1], &dist[k], (size_t)(2 - k) * sizeof(int));
				memmove(&best[k + 1], &best[k], (size_t)(2 - k) * sizeof(size_t));
				dist[k] = d;
				best[k] = i;
				break;
			}
		}
	}
	used = strlen(buf);
	for (k = 0; k < 3 && dist[k] < (1 << 30) && used < len; k++) {
		int w = snprintf(buf + used, len - used, "%s%s (%s)", k ? ", " : " (closest streets: ",
				 gc->e[best[k]].raw, gc->e[best[k]].postcode);
		used += w > 0 ? (size_t)w : 0;
	}
	if (k > 0 && used + 1 < len)
		strcat(buf, ")");
}

int tp_geocode(tp_geocoder *gc, const char *address, const char *postcode, double *x,
	       double *y, const char **kind, char *why, size_t whylen, const char **near)
{
	parsed p;
	split s[2];
	char pc[TOKLEN] = "", other_pcs[128] = "";
	const char *other = NULL;
	int ns, i, street_seen = 0;

	why[0] = '\0';
	if (near)
		*near = NULL;
	parse(address, &p);
	if (p.post >= 0)
		snprintf(pc, sizeof(pc), "%s", p.tok[p.post]);
	else if (postcode)
		tp_text_fold(postcode, pc, sizeof(pc), 0);
	ns = splits(&p, s);
	if (ns == 0) {
		snprintf(why, whylen, "address '%s' has no house number, so it cannot be placed",
			 address);
		return 0;
	}
	for (i = 0; i < ns; i++) {
		size_t a = lower_bound(gc, s[i].street), b = a, g, hit = 0, best_hit = 0;
		size_t first_in_pc = 0;
		int best = K_NONE, nbest = 0, in_pc = 0;
		char pcs[128] = "";

		while (b < gc->n && !strcmp(gc->e[b].key, s[i].street))
			b++;
		if (a == b)
			continue;
		street_seen = 1;
		/* one group per postcode */
		for (g = a; g < b;) {
			size_t h = g;
			int k;
			while (h < b && !strcmp(gc->e[h].postcode, gc->e[g].postcode))
				h++;
			if (pc[0] && strcmp(gc->e[g].postcode, pc)) {
				size_t u = strlen(other_pcs);
				if (u + 8 < sizeof(other_pcs))
					snprintf(other_pcs + u, sizeof(other_pcs) - u, "%s%s",
						 u ? ", " : "", gc->e[g].postcode);
				other = u ? NULL : gc->e[g].postcode; /* one postcode only */
				g = h;
				continue;
			}
			if (!in_pc++)
				first_in_pc = g;
			k = match_number(gc->e, g, h, s[i].num, &hit);
			if (k != K_NONE) {
				size_t u = strlen(pcs);
				if (k < best) {
					best = k;
					best_hit = hit;
					nbest = 0;
					pcs[0] = '\0';
					u = 0;
				}
				if (k == best) {
					nbest++;
					if (u + 8 < sizeof(pcs))
						snprintf(pcs + u, sizeof(pcs) - u, "%s%s",
							 u ? ", " : "", gc->e[g].postcode);
				}
			}
			g = h;
		}
		if (best == K_NONE) {
			if (in_pc && near)
				*near = gc->e[first_in_pc].postcode;
			if (in_pc)
				snprintf(why, whylen,
					 "address '%s': no number %s on %s (%s) within %d numbers",
					 address, s[i].num, gc->e[first_in_pc].raw,
					 gc->e[first_in_pc].postcode, TP_GEOCODE_MAX_GAP);
			continue;
		}
		if (nbest > 1) {
			snprintf(why, whylen,
				 "address '%s': %s %s exists in several postcodes (%s); give the "
				 "postcode", address, gc->e[best_hit].raw, s[i].num, pcs);
			return 0;
		}
		{
			const entry *e = &gc->e[best_hit];
			int street_kind = strstr(address, e->raw) ? K_EXACT : K_NORMALISED;
			*x = e->x;
			*y = e->y;
			*kind = kind_names[street_kind > best ? street_kind : best];
			return 1;
		}
	}
	if (!street_seen) {
		snprintf(why, whylen, "address '%s': street not in the address reference", address);
		closest_streets(gc, ns ? s[0].street : "", why, whylen);
	} else if (other_pcs[0] && !why[0]) {
		if (near)
			*near = other;
		snprintf(why, whylen, "address '%s': the street is not in postcode %s (it is in %s)",
			 address, pc, other_pcs);
	} else if (!why[0]) {
		snprintf(why, whylen, "address '%s': not found in the address reference", address);
	}
	return 0;
}
