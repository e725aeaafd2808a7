/*
 * geocode.c: matching addresses against the address reference (geocode.h).
 *
 * The reference is read once into an array of entries, one per address and
 * street language (an address with a French and a Dutch name gives two),
 * sorted by normalised street name, postcode and house number.  Each street
 * name as written is normalised once (a street has many numbers), street
 * names and postcodes are held once and the entries point at them; a lookup
 * finds the normalised street name in a hash table (keyset.h), which gives
 * its entries, then scans that street's numbers.
 * Addresses are parsed from folded tokens: the last number-like token is the
 * house number (or the first token, "12 rue X"), a box marker ends the
 * street part, a four-digit token after the house number is the postcode.
 */
#include "inputs/geocode.h"
#include "geo/array.h"
#include "geo/keyset.h"
#include "geo/parallel.h"
#include "inputs/source.h"
#include "inputs/text.h"
#include "geo/error.h"
#include "geo/geo.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ogr_api.h>
#include <sqlite3.h>

#define MAXTOK 32
#define TOKLEN 64
#define KEYLEN 256

enum { K_EXACT, K_NORMALISED, K_NEAREST, K_NONE };
static const char *const kind_names[] = {"exact", "normalised", "nearest"};

#define NOKEY UINT32_MAX

typedef struct {
	uint32_t street;    /* its name: index in the geocoder's streets */
	uint32_t pc;        /* its postcode: index in the geocoder's postcodes */
	char num[16];       /* folded house number ("12", "12a") */
	long n;             /* its leading whole number */
	double x, y;        /* the point, in the geocoder's CRS */
} entry;

/* A street name as the reference writes it (each written form once). */
typedef struct {
	char *raw;          /* the name */
	uint32_t key;       /* its normalised form: index in the keys, NOKEY when empty */
} street;

/* A normalised street name and its entries. */
typedef struct {
	char *text;         /* the name */
	size_t first, end;  /* its entries, [first, end) */
} skey;

struct tp_geocoder {
	entry *e;         /* entries, sorted by key, postcode, n, num (as text) */
	size_t n;         /* entries */
	size_t naddr;     /* addresses read */
	street *st;       /* street names, in the order first read */
	size_t nst, capst;  /* entries of st */
	skey *k;          /* normalised street names, in the order first read */
	size_t nk, capk;  /* entries of k */
	char (*pc)[12];   /* postcodes as text, in the order first read */
	size_t npc, cappc;  /* entries of pc */
	tp_keyset keys;   /* normalised name -> index in k */
	char crs[4096];   /* CRS of the points */
};

/* The normalised street name, the name as written, the postcode of e. */
static const char *e_key(const tp_geocoder *gc, const entry *e)
{
	return gc->k[gc->st[e->street].key].text;
}

static const char *e_raw(const tp_geocoder *gc, const entry *e)
{
	return gc->st[e->street].raw;
}

static const char *e_pc(const tp_geocoder *gc, const entry *e)
{
	return gc->pc[e->pc];
}

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
			if (t[0] == abbrev[k][0][0] && !strcmp(t, abbrev[k][0])) {
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
	tp_text_join(out, outlen, part, 4, "|");
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

/* The reference's distinct street names and postcodes while it is read:
 * each written form is normalised once, not once per address. */
typedef struct {
	tp_keyset names;  /* street name as written -> index in gc->st */
	tp_keyset pcs;    /* postcode -> index in gc->pc */
	size_t cap;       /* entries allocated in gc->e */
	char last[2][KEYLEN];  /* the French and the Dutch name of the address before */
	uint32_t last_st[2];   /* their index in gc->st (when last[i] is not "") */
} builder;

/* The index in gc->st of street name in language lang (0 French, 1
 * Dutch), added (and normalised) when new.  A street's numbers follow each
 * other in most references: the name of the address before is tried
 * first. */
static int street_of(tp_geocoder *gc, builder *b, int lang, const char *name, uint32_t *out)
{
	char key[KEYLEN];
	uint64_t held, k;

	if (b->last[lang][0] && !strcmp(b->last[lang], name)) {
		*out = b->last_st[lang];
		return TP_OK;
	}
	if (gc->nst >= NOKEY)
		return tp_error_set(TP_ERROR, "out of memory (too many street names)");
	if (tp_keyset_put(&b->names, name, gc->nst, &held))
		return TP_ERROR;
	*out = (uint32_t)held;
	tp_text_copy(b->last[lang], sizeof(b->last[lang]), name);
	b->last_st[lang] = *out;
	if (held < gc->nst)
		return TP_OK;
	if (tp_array_room(&gc->st, &gc->capst, gc->nst, sizeof(*gc->st), 1024))
		return TP_ERROR;
	gc->st[gc->nst].raw = strdup(name);
	gc->st[gc->nst].key = NOKEY;
	if (!gc->st[gc->nst].raw)
		return tp_error_set(TP_ERROR, "out of memory");
	gc->nst++;
	name_key(name, key, sizeof(key));
	if (!key[0])
		return TP_OK;
	if (tp_keyset_put(&gc->keys, key, gc->nk, &k))
		return TP_ERROR;
	if (k == gc->nk) {
		if (tp_array_room(&gc->k, &gc->capk, gc->nk, sizeof(*gc->k), 1024))
			return TP_ERROR;
		gc->k[gc->nk].text = strdup(key);
		gc->k[gc->nk].first = gc->k[gc->nk].end = 0;
		if (!gc->k[gc->nk].text)
			return tp_error_set(TP_ERROR, "out of memory");
		gc->nk++;
	}
	gc->st[*out].key = (uint32_t)k;
	return TP_OK;
}

/* The index in gc->pc of postcode (cut to 11 bytes), added when new. */
static int postcode_of(tp_geocoder *gc, builder *b, const char *postcode, uint32_t *out)
{
	char pc[sizeof(gc->pc[0])];
	uint64_t held;

	tp_text_copy(pc, sizeof(pc), postcode);
	if (tp_keyset_put(&b->pcs, pc, gc->npc, &held))
		return TP_ERROR;
	*out = (uint32_t)held;
	if (held < gc->npc)
		return TP_OK;
	if (tp_array_room(&gc->pc, &gc->cappc, gc->npc, sizeof(*gc->pc), 64))
		return TP_ERROR;
	memcpy(gc->pc[gc->npc++], pc, sizeof(pc));
	return TP_OK;
}

/* Adds the address of street name at the folded number num. */
static int add_entry(tp_geocoder *gc, builder *b, int lang, const char *name, const char *num,
		     long n, uint32_t pc, double x, double y)
{
	uint32_t st;
	entry *e;

	if (street_of(gc, b, lang, name, &st))
		return TP_ERROR;
	if (gc->st[st].key == NOKEY)
		return TP_OK;
	if (tp_array_room(&gc->e, &b->cap, gc->n, sizeof(*gc->e), 1024))
		return TP_ERROR;
	e = &gc->e[gc->n++];
	e->street = st;
	e->pc = pc;
	memcpy(e->num, num, sizeof(e->num));
	e->n = n;
	e->x = x;
	e->y = y;
	return TP_OK;
}

/* A text and its index, to rank texts in strcmp order. */
typedef struct {
	const char *text;  /* the text */
	uint32_t id;       /* its index */
} named;

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const named *)a)->text, ((const named *)b)->text);
}

/* (*rank)[i] = the place of text i among the n texts of gc's keys (pc 0)
 * or postcodes (pc 1) in strcmp order. */
static int rank_texts(const tp_geocoder *gc, int pc, uint32_t **rank)
{
	size_t n = pc ? gc->npc : gc->nk, i;
	named *t = malloc((n ? n : 1) * sizeof(*t));

	*rank = malloc((n ? n : 1) * sizeof(**rank));
	if (!t || !*rank) {
		free(t);
		free(*rank);
		*rank = NULL;
		return tp_error_set(TP_ERROR, "out of memory");
	}
	for (i = 0; i < n; i++) {
		t[i].text = pc ? gc->pc[i] : gc->k[i].text;
		t[i].id = (uint32_t)i;
	}
	qsort(t, n, sizeof(*t), named_cmp);
	for (i = 0; i < n; i++)
		(*rank)[t[i].id] = (uint32_t)i;
	free(t);
	return TP_OK;
}

/* An entry's place in the sort within its street: postcode, number. */
typedef struct {
	uint32_t pc;      /* rank of its postcode */
	uint32_t i;       /* the entry, in the order read */
	long n;           /* its number */
	const char *num;  /* its number as text */
} sortrec;

static int sortrec_cmp(const void *a, const void *b)
{
	const sortrec *x = a, *y = b;
	int c = (x->pc > y->pc) - (x->pc < y->pc);

	if (!c)
		c = (x->n > y->n) - (x->n < y->n);
	if (!c)
		c = strcmp(x->num, y->num);
	if (!c)
		c = (x->i > y->i) - (x->i < y->i);
	return c;
}

/* Sorts the entries by normalised street name, postcode (both as strcmp
 * orders them), number and number as text, those equal in the order read;
 * sets each key's range of entries.  The keys are ranked once, the entries
 * counted into their street's place, then each street's few sorted. */
static int sort_entries(tp_geocoder *gc)
{
	uint32_t *krank = NULL, *pcrank = NULL;
	size_t *start = NULL, i, k;
	sortrec *r = NULL;
	entry *sorted = NULL;
	int rc;

	rc = rank_texts(gc, 0, &krank);
	if (!rc)
		rc = rank_texts(gc, 1, &pcrank);
	if (rc)
		goto done;
	start = calloc(gc->nk + 1, sizeof(*start));
	r = malloc(gc->n * sizeof(*r));
	sorted = malloc(gc->n * sizeof(*sorted));
	if (!start || !r || !sorted) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < gc->n; i++)
		start[krank[gc->st[gc->e[i].street].key] + 1]++;
	for (k = 0; k < gc->nk; k++)
		start[k + 1] += start[k];
	for (i = 0; i < gc->n; i++) {
		const entry *e = &gc->e[i];
		uint32_t kr = krank[gc->st[e->street].key];
		r[start[kr]++] = (sortrec){pcrank[e->pc], (uint32_t)i, e->n, e->num};
	}
	/* start[k] is now the end of the k-th key in rank order */
	for (k = 0; k < gc->nk; k++) {
		size_t a = k ? start[k - 1] : 0, j;
		/* a street's numbers are read in order in most references */
		for (j = a + 1; j < start[k] && sortrec_cmp(&r[j - 1], &r[j]) < 0; j++)
			;
		if (j < start[k])
			qsort(r + a, start[k] - a, sizeof(*r), sortrec_cmp);
	}
	for (i = 0; i < gc->n; i++)
		sorted[i] = gc->e[r[i].i];
	for (k = 0; k < gc->nk; k++) {
		skey *key = &gc->k[k];
		key->first = krank[k] ? start[krank[k] - 1] : 0;
		key->end = start[krank[k]];
	}
	free(gc->e);
	gc->e = sorted;
	sorted = NULL;
done:
	free(krank);
	free(pcrank);
	free(start);
	free(r);
	free(sorted);
	return rc;
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

/* Frees what gc holds, not gc. */
static void geocoder_clear(tp_geocoder *gc)
{
	size_t i;

	for (i = 0; i < gc->nst; i++)
		free(gc->st[i].raw);
	for (i = 0; i < gc->nk; i++)
		free(gc->k[i].text);
	free(gc->st);
	free(gc->k);
	free(gc->pc);
	free(gc->e);
	tp_keyset_dispose(&gc->keys);
}

/* A reference of this many addresses or more, in a GeoPackage, is read in
 * two halves on two threads (its FIDs split in two ranges). */
#define SPLIT_MIN 256

/* One run of the reference's features: all of them, or one half. */
typedef struct {
	const tp_address_cfg *cfg;  /* the reference */
	const char *src_crs;        /* its CRS */
	const char *dst_crs;        /* the CRS of the points */
	int col[4];                 /* French name, Dutch name, number, postcode; -1: none */
	char filter[600];           /* attribute filter on the FIDs, "" for all */
	tp_geocoder *gc;            /* what it reads, in reading order */
	builder *b;                 /* gc's sets */
	tp_error_state err;         /* its failure, code 0 when none */
} part;

/* The addresses of layer into p->gc, in the order read (not sorted). */
static int read_part(part *p, OGRLayerH layer)
{
	tp_geocoder *gc = p->gc;
	tp_geo *g = NULL;
	tp_transform *t = NULL;
	OGRFeatureH f;
	int rc, cfr = p->col[0], cnl = p->col[1], cnum = p->col[2], cpc = p->col[3];

	rc = tp_geo_new(&g);
	if (!rc)
		rc = tp_transform_new(&t, g, p->src_crs, p->dst_crs);
	if (rc) {
		rc = tp_error_wrap(rc, "%s (address reference)", p->cfg->path);
		goto done;
	}
	if (p->filter[0] && OGR_L_SetAttributeFilter(layer, p->filter) != OGRERR_NONE) {
		rc = tp_error_set(TP_EINPUT, "%s: cannot read the address reference by FID (%s)",
				  p->cfg->path, p->filter);
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
				char fr[KEYLEN] = "", nl[KEYLEN] = "", fnum[16];
				uint32_t ipc;
				long n;
				if (cfr >= 0 && OGR_F_IsFieldSetAndNotNull(f, cfr))
					tp_text_copy(fr, sizeof(fr), OGR_F_GetFieldAsString(f, cfr));
				if (cnl >= 0 && OGR_F_IsFieldSetAndNotNull(f, cnl))
					tp_text_copy(nl, sizeof(nl), OGR_F_GetFieldAsString(f, cnl));
				memset(fnum, 0, sizeof(fnum));
				tp_text_fold(num, fnum, sizeof(fnum), 1);
				n = strtol(fnum, NULL, 10);
				rc = postcode_of(gc, p->b, pc, &ipc);
				if (!rc && fr[0])
					rc = add_entry(gc, p->b, 0, fr, fnum, n, ipc, x, y);
				if (!rc && nl[0] && strcmp(fr, nl))
					rc = add_entry(gc, p->b, 1, nl, fnum, n, ipc, x, y);
				gc->naddr++;
			}
		}
		OGR_F_Destroy(f);
	}
	if (!rc)
		tp_error_clear(); /* points PROJ could not transform are left out */
done:
	tp_transform_free(t);
	tp_geo_free(g);
	return rc;
}

/* tp_parallel's job: opens the reference again and reads its half. */
static void *part_job(void *arg)
{
	part *p = arg;
	tp_source src = {0};
	OGRLayerH layer;
	int rc = tp_source_open(&src, p->cfg->path, "addresses");

	if (!rc) {
		layer = p->cfg->layer && p->cfg->layer[0]
				? GDALDatasetGetLayerByName(src.ds, p->cfg->layer)
				: GDALDatasetGetLayer(src.ds, 0);
		rc = layer ? read_part(p, layer)
			   : tp_error_set(TP_EINPUT, "%s: no layer '%s' (section [addresses])",
					  p->cfg->path, p->cfg->layer ? p->cfg->layer : "");
	}
	tp_source_close(&src);
	tp_error_save(&p->err, rc);
	return NULL;
}

/* The FID the second half of a GeoPackage reference starts at, its
 * filters in p[0] and p[1]; 0 when it is read in one go. */
static long long split_fids(GDALDatasetH ds, OGRLayerH layer, part p[2])
{
	GDALDriverH drv = GDALGetDatasetDriver(ds);
	const char *fid = OGR_L_GetFIDColumn(layer);
	char sql[600];
	OGRLayerH res;
	OGRFeatureH f;
	long long lo = 0, hi = 0, mid;

	if (!drv || strcmp(GDALGetDriverShortName(drv), "GPKG") || !fid || !fid[0] ||
	    strlen(fid) > 100 || strlen(OGR_L_GetName(layer)) > 100 ||
	    OGR_L_GetFeatureCount(layer, 0) < SPLIT_MIN)
		return 0;
	sqlite3_snprintf(sizeof(sql), sql, "SELECT MIN(\"%w\"), MAX(\"%w\") FROM \"%w\"", fid, fid,
			 OGR_L_GetName(layer));
	res = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
	if (!res)
		return 0;
	if ((f = OGR_L_GetNextFeature(res)) != NULL) {
		lo = OGR_F_GetFieldAsInteger64(f, 0);
		hi = OGR_F_GetFieldAsInteger64(f, 1);
		OGR_F_Destroy(f);
	}
	GDALDatasetReleaseResultSet(ds, res);
	tp_error_clear();
	if (hi <= lo)
		return 0;
	mid = lo + (hi - lo) / 2 + 1;
	sqlite3_snprintf(sizeof(p[0].filter), p[0].filter, "\"%w\" < %lld", fid, mid);
	sqlite3_snprintf(sizeof(p[1].filter), p[1].filter, "\"%w\" >= %lld", fid, mid);
	return mid;
}

/* Adds what p read after what gc read, in that order. */
static int merge(tp_geocoder *gc, builder *b, const tp_geocoder *p)
{
	uint32_t *smap = malloc((p->nst ? p->nst : 1) * sizeof(*smap));
	uint32_t *pmap = malloc((p->npc ? p->npc : 1) * sizeof(*pmap));
	size_t i;
	int rc = TP_OK;

	if (!smap || !pmap)
		rc = tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; !rc && i < p->nst; i++)
		rc = street_of(gc, b, 0, p->st[i].raw, &smap[i]);
	for (i = 0; !rc && i < p->npc; i++)
		rc = postcode_of(gc, b, p->pc[i], &pmap[i]);
	if (!rc && gc->n + p->n > b->cap) {
		rc = tp_array_resize(&gc->e, gc->n + p->n, sizeof(*gc->e));
		if (!rc)
			b->cap = gc->n + p->n;
	}
	for (i = 0; !rc && i < p->n; i++) {
		entry *e = &gc->e[gc->n++];
		*e = p->e[i];
		e->street = smap[e->street];
		e->pc = pmap[e->pc];
	}
	if (!rc)
		gc->naddr += p->naddr;
	free(smap);
	free(pmap);
	return rc;
}

int tp_geocoder_open(tp_geocoder **out, const tp_address_cfg *cfg, const char *dst_crs)
{
	tp_geocoder *gc = NULL, half = {0};
	tp_source src = {0};
	OGRLayerH layer;
	OGRFeatureDefnH fd;
	builder b = {0}, bhalf = {0};
	part p[2];
	int rc = TP_OK, k;
	char src_crs[4096];

	*out = NULL;
	memset(p, 0, sizeof(p));
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
	p[0].col[0] = ref_column(fd, cfg->street_fr ? cfg->street_fr : "street_fr",
				 cfg->street_fr ? "street_fr" : NULL, cfg->path, &rc);
	p[0].col[1] = ref_column(fd, cfg->street_nl ? cfg->street_nl : "street_nl",
				 cfg->street_nl ? "street_nl" : NULL, cfg->path, &rc);
	p[0].col[2] = ref_column(fd, cfg->number ? cfg->number : "number", "number", cfg->path,
				 &rc);
	p[0].col[3] = ref_column(fd, cfg->postcode ? cfg->postcode : "postcode", "postcode",
				 cfg->path, &rc);
	if (!rc && p[0].col[0] < 0 && p[0].col[1] < 0)
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
	for (k = 0; k < 2; k++) {
		p[k].cfg = cfg;
		p[k].src_crs = src_crs;
		p[k].dst_crs = gc->crs;
		memcpy(p[k].col, p[0].col, sizeof(p[0].col));
		p[k].gc = k ? &half : gc;
		p[k].b = k ? &bhalf : &b;
	}
	if (split_fids(src.ds, layer, p)) {
		/* each half on its own thread, through its own dataset */
		tp_parallel(part_job, p, sizeof(p[0]), 2);
		for (k = 0; k < 2 && !rc; k++)
			rc = tp_error_restore(&p[k].err);
		if (!rc)
			rc = merge(gc, &b, &half);
		geocoder_clear(&half);
		memset(&half, 0, sizeof(half));
	} else {
		rc = read_part(&p[0], layer);
	}
	if (!rc && gc->n == 0)
		rc = tp_error_set(TP_EINPUT, "%s: the address reference holds no usable address "
				  "(a point, a street name and a number)", cfg->path);
	if (!rc)
		rc = sort_entries(gc);
done:
	geocoder_clear(&half);
	tp_keyset_dispose(&b.names);
	tp_keyset_dispose(&b.pcs);
	tp_keyset_dispose(&bhalf.names);
	tp_keyset_dispose(&bhalf.pcs);
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
	if (!gc)
		return;
	geocoder_clear(gc);
	free(gc);
}

const char *tp_geocoder_crs(const tp_geocoder *gc)
{
	return gc->crs;
}

/* ---- matching -------------------------------------------------------- */

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
		if (i > 0 && gc->e[i].street == gc->e[i - 1].street &&
		    gc->e[i].pc == gc->e[i - 1].pc)
			continue;
		d = tp_text_distance(key, e_key(gc, &gc->e[i]));
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
				 e_raw(gc, &gc->e[best[k]]), e_pc(gc, &gc->e[best[k]]));
		used += w > 0 ? (size_t)w : 0;
	}
	if (k > 0 && used + 1 < len)
		strcat(buf, ")");
}

/* Appends ", " (after the first) and pc to the u bytes of the list in buf,
 * cut at size - 1 bytes as snprintf would (for every record placed). */
static void add_pc(char *buf, size_t size, size_t u, const char *pc)
{
	if (u) {
		tp_text_copy(buf + u, size - u, ", ");
		u += strlen(buf + u);
	}
	tp_text_copy(buf + u, size - u, pc);
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
		tp_text_copy(pc, sizeof(pc), p.tok[p.post]);
	else if (postcode)
		tp_text_fold(postcode, pc, sizeof(pc), 0);
	ns = splits(&p, s);
	if (ns == 0) {
		snprintf(why, whylen, "address '%s' has no house number, so it cannot be placed",
			 address);
		return 0;
	}
	for (i = 0; i < ns; i++) {
		size_t a = 0, b = 0, g, hit = 0, best_hit = 0;
		size_t first_in_pc = 0;
		int best = K_NONE, nbest = 0, in_pc = 0;
		char pcs[128] = "";
		uint64_t k;

		if (!tp_keyset_get(&gc->keys, s[i].street, &k))
			continue;
		a = gc->k[k].first;
		b = gc->k[k].end;
		if (a == b)
			continue;
		street_seen = 1;
		/* one group per postcode */
		for (g = a; g < b;) {
			size_t h = g;
			int k;
			while (h < b && gc->e[h].pc == gc->e[g].pc)
				h++;
			if (pc[0] && strcmp(e_pc(gc, &gc->e[g]), pc)) {
				size_t u = strlen(other_pcs);
				if (u + 8 < sizeof(other_pcs))
					add_pc(other_pcs, sizeof(other_pcs), u, e_pc(gc, &gc->e[g]));
				other = u ? NULL : e_pc(gc, &gc->e[g]); /* one postcode only */
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
						add_pc(pcs, sizeof(pcs), u, e_pc(gc, &gc->e[g]));
				}
			}
			g = h;
		}
		if (best == K_NONE) {
			if (in_pc && near)
				*near = e_pc(gc, &gc->e[first_in_pc]);
			if (in_pc)
				snprintf(why, whylen,
					 "address '%s': no number %s on %s (%s) within %d numbers",
					 address, s[i].num, e_raw(gc, &gc->e[first_in_pc]),
					 e_pc(gc, &gc->e[first_in_pc]), TP_GEOCODE_MAX_GAP);
			continue;
		}
		if (nbest > 1) {
			snprintf(why, whylen,
				 "address '%s': %s %s exists in several postcodes (%s); give the "
				 "postcode", address, e_raw(gc, &gc->e[best_hit]), s[i].num, pcs);
			return 0;
		}
		{
			const entry *e = &gc->e[best_hit];
			int street_kind = strstr(address, e_raw(gc, e)) ? K_EXACT : K_NORMALISED;
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
