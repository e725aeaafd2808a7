/*
 * dashboard_data.c: the keys of dashboard.html's data (dashboard.c's
 * write_data()) that come from the tables of the count's editions and of
 * the occupation register, each written only when the run has its table:
 *
 *   "trends"       the total of every commune and of the region per edition
 *                  (published figures: a withheld one is null beside its
 *                  label "x" or "<5"), its change on the whole scope and on
 *                  the comparable one, when the count has two editions or more;
 *   "occupations"  the register's sites on a timeline, their durations
 *                  beside min_window_months and the ones ending soon with
 *                  their nearest candidates.
 *
 * Everything is read through a public view (outputs/query.h): the people
 * an occupation housed or moved on are small numbers at a known address,
 * so they are neither selected nor written.
 */
#include "outputs/dashboard.h"
#include "outputs/query.h"
#include "geo/categories.h"
#include "geo/codes.h"
#include "geo/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column i of r as a JSON number, or null. */
static void json_num(FILE *f, const tp_rows *r, int i)
{
	if (tp_rows_null(r, i))
		fputs("null", f);
	else
		fprintf(f, "%.15g", tp_rows_double(r, i));
}

/* Column i of r as a JSON string, or null. */
static void json_text(FILE *f, const tp_rows *r, int i)
{
	if (tp_rows_null(r, i))
		fputs("null", f);
	else
		tp_dashboard_json_str(f, tp_rows_text(r, i));
}

/* The categories of scope ("public_space, squat") by their names in lang, as one JSON string. */
static void scope_names(FILE *f, const char *scope, const char *lang)
{
	char out[2048] = "", name[256];
	size_t j, len = 0;

	for (j = 0; j < TP_NCATEGORIES; j++) {
		const char *p = scope ? strstr(scope, tp_people[j].name) : NULL;
		size_t n = strlen(tp_people[j].name);
		/* a whole item of the list, not a prefix of a longer code */
		if (!p || (p != scope && p[-1] != ' ') || (p[n] && p[n] != ','))
			continue;
		tp_lang_pick(name, sizeof(name), lang, tp_people[j].fr, tp_people[j].nl, " / ");
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len ? ", " : "", name);
		if (len >= sizeof(out))
			break;
	}
	tp_dashboard_json_str(f, out);
}

/*
 * Writes ,"trends":{"editions":[{"e","date","scope"}...],"lines":[{"nis",
 * "name","p":[[k, value, label, change, change_pct, comparable_change,
 * comparable_change_pct]...]}...]} from store's trends table (the total,
 * category people_total), lang naming the region and the scope's
 * categories.  Nothing when the store has no trends table or fewer than
 * two editions.  Returns 0, or TP_ESTORE when the store cannot be read.
 */
int tp_dashboard_trends(FILE *f, sqlite3 *store, const char *lang)
{
	tp_view *v = NULL;
	tp_rows *e = NULL, *r = NULL;
	char **labels = NULL, last[64] = "\x01", name[512];
	size_t n = 0, cap = 0, k;
	int rc, step = 0, lines = 0, in_line = 0;

	rc = tp_view_open(&v, store, 0);
	if (rc || !tp_view_has_table(v, "trends"))
		goto done;
	rc = tp_rows_open(&e, v, TP_ROWS_EDITIONS, NULL, "dashboard.html");
	while (!rc && (step = tp_rows_next(e)) > 0) {
		if (n == cap) {
			char **grown = realloc(labels, (cap = cap ? 2 * cap : 8) * sizeof(*labels));
			if (!grown) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				break;
			}
			labels = grown;
		}
		labels[n] = strdup(tp_rows_text(e, 0) ? tp_rows_text(e, 0) : "");
		if (!labels[n++])
			rc = tp_error_set(TP_ERROR, "out of memory");
	}
	if (!rc && step < 0)
		rc = step;
	if (rc || n < 2)
		goto done;
	rc = tp_rows_open(&r, v, TP_ROWS_TRENDS, NULL, "dashboard.html");
	if (rc)
		goto done;
	/* the editions, each with the comparable scope the region's row names */
	fputs(",\"trends\":{\"editions\":[", f);
	tp_rows_rewind(e, NULL);
	for (k = 0; (step = tp_rows_next(e)) > 0; k++) {
		const char *scope = NULL;
		fputs(k ? ",{\"e\":" : "{\"e\":", f);
		json_text(f, e, 0);
		fputs(",\"date\":", f);
		json_text(f, e, 1);
		tp_rows_rewind(r, NULL);
		while ((rc = tp_rows_next(r)) > 0)
			if (tp_rows_null(r, 0) && !strcmp(tp_rows_text(r, 5), "people_total") &&
			    !strcmp(tp_rows_text(r, 3), labels[k])) {
				scope = tp_rows_text(r, 13);
				break;
			}
		if (rc < 0)
			goto done;
		fputs(",\"scope\":", f);
		if (scope)
			scope_names(f, scope, lang);
		else
			fputs("null", f);
		fputc('}', f);
	}
	if (step < 0) {
		rc = step;
		goto done;
	}
	fputs("],\"lines\":[", f);
	tp_rows_rewind(r, NULL);
	while ((step = tp_rows_next(r)) > 0) {
		const char *nis = tp_rows_null(r, 0) ? "" : tp_rows_text(r, 0);
		if (strcmp(tp_rows_text(r, 5), "people_total"))
			continue;
		if (strcmp(nis, last)) {
			snprintf(last, sizeof(last), "%s", nis);
			fputs(in_line ? "]}" : "", f);
			fputs(lines++ ? ",{\"nis\":" : "{\"nis\":", f);
			json_text(f, r, 0);
			tp_lang_pick(name, sizeof(name), lang, tp_rows_text(r, 1), tp_rows_text(r, 2),
				     " / ");
			fputs(",\"name\":", f);
			tp_dashboard_json_str(f, name);
			fputs(",\"p\":[", f);
			in_line = 1;
		} else {
			fputc(',', f);
		}
		for (k = 0; k < n && strcmp(labels[k], tp_rows_text(r, 3)); k++)
			;
		fprintf(f, "[%zu,", k);
		json_num(f, r, 7);
		fputc(',', f);
		json_text(f, r, 8);
		fputc(',', f);
		json_num(f, r, 11);
		fputc(',', f);
		json_num(f, r, 12);
		fputc(',', f);
		json_num(f, r, 16);
		fputc(',', f);
		json_num(f, r, 17);
		fputc(']', f);
	}
	fputs(in_line ? "]}]}" : "]}", f);
	rc = step < 0 ? step : TP_OK;
done:
	tp_rows_close(r);
	tp_rows_close(e);
	tp_view_close(v);
	for (k = 0; k < n; k++)
		free(labels[k]);
	free(labels);
	return rc;
}

/*
 * Writes ,"occupations":{"sites":[{"site","operator","type","dwellings",
 * "nis","start","planned","ext","actual","end","status","statusName",
 * "months","extended"}...],"durations":[{"by","grp","n","median","q1","q3",
 * "ext"}...],"minWindow","ref" (the reference date),"ending":[{"site","end","left","near","rank",
 * "id","address","nis","m"}...]} from store's register (pipeline/register.c),
 * lang naming the statuses.  Nothing when the store has no occupations
 * table or it is empty.  Returns 0, or TP_ESTORE when the store cannot be
 * read.
 */
int tp_dashboard_register(FILE *f, sqlite3 *store, const char *lang)
{
	tp_view *v = NULL;
	tp_rows *r = NULL;
	char name[256];
	int rc, step = 0, k = 0;
	double min_window = -1;

	rc = tp_view_open(&v, store, 0);
	if (rc || !tp_view_has_table(v, "occupations"))
		goto done;
	rc = tp_rows_open(&r, v, TP_ROWS_OCCUPATIONS, NULL, "dashboard.html");
	while (!rc && (step = tp_rows_next(r)) > 0) {
		const tp_code *s = tp_code_find(&tp_occupation_statuses, tp_rows_text(r, 14));
		/* columns 17 and 18 (people housed, moved on) are never written */
		fputs(k++ ? ",{\"site\":" : ",\"occupations\":{\"sites\":[{\"site\":", f);
		json_text(f, r, 1);
		fputs(",\"operator\":", f);
		json_text(f, r, 2);
		fputs(",\"type\":", f);
		json_text(f, r, 4);
		fputs(",\"dwellings\":", f);
		json_num(f, r, 5);
		fputs(",\"nis\":", f);
		json_text(f, r, 21);
		fputs(",\"start\":", f);
		json_text(f, r, 9);
		fputs(",\"planned\":", f);
		json_text(f, r, 10);
		fputs(",\"ext\":", f);
		json_text(f, r, 11);
		fputs(",\"actual\":", f);
		json_text(f, r, 12);
		fputs(",\"end\":", f);
		json_text(f, r, 13);
		fputs(",\"status\":", f);
		json_text(f, r, 14);
		fputs(",\"statusName\":", f);
		if (s) {
			tp_lang_pick(name, sizeof(name), lang, s->fr, s->nl, " / ");
			tp_dashboard_json_str(f, name);
		} else {
			json_text(f, r, 14);
		}
		fputs(",\"months\":", f);
		json_num(f, r, 15);
		fprintf(f, ",\"extended\":%d}", tp_rows_int64(r, 16) ? 1 : 0);
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(r);
	r = NULL;
	if (rc || !k)
		goto done;
	fputs("],\"durations\":[", f);
	rc = tp_rows_open(&r, v, TP_ROWS_OCCUPATION_DURATIONS, NULL, "dashboard.html");
	for (k = 0; !rc && (step = tp_rows_next(r)) > 0; k++) {
		fputs(k ? ",{\"by\":" : "{\"by\":", f);
		json_text(f, r, 0);
		fputs(",\"grp\":", f);
		json_text(f, r, 1);
		fprintf(f, ",\"n\":%lld,\"median\":", tp_rows_int64(r, 2));
		json_num(f, r, 3);
		fputs(",\"q1\":", f);
		json_num(f, r, 4);
		fputs(",\"q3\":", f);
		json_num(f, r, 5);
		fputs(",\"ext\":", f);
		json_num(f, r, 6);
		fputc('}', f);
		if (!tp_rows_null(r, 7))
			min_window = tp_rows_double(r, 7);
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(r);
	r = NULL;
	if (rc)
		goto done;
	fputs("],\"minWindow\":", f);
	if (min_window >= 0)
		fprintf(f, "%.15g", min_window);
	else
		fputs("null", f);
	rc = tp_rows_open(&r, v, TP_ROWS_META, "reference_date", "dashboard.html");
	if (!rc && (step = tp_rows_next(r)) < 0)
		rc = step;
	if (rc)
		goto done;
	fputs(",\"ref\":", f);
	if (step > 0)
		json_text(f, r, 0);
	else
		fputs("null", f);
	tp_rows_close(r);
	r = NULL;
	fputs(",\"ending\":[", f);
	rc = tp_rows_open(&r, v, TP_ROWS_OCCUPATIONS_ENDING, NULL, "dashboard.html");
	for (k = 0; !rc && (step = tp_rows_next(r)) > 0; k++) {
		fputs(k ? ",{\"site\":" : "{\"site\":", f);
		json_text(f, r, 0);
		fputs(",\"end\":", f);
		json_text(f, r, 1);
		fputs(",\"left\":", f);
		json_num(f, r, 2);
		fputs(",\"near\":", f);
		json_num(f, r, 3);
		fputs(",\"rank\":", f);
		json_num(f, r, 4);
		fputs(",\"id\":", f);
		json_text(f, r, 5);
		fputs(",\"address\":", f);
		json_text(f, r, 6);
		fputs(",\"nis\":", f);
		json_text(f, r, 7);
		fputs(",\"m\":", f);
		json_num(f, r, 8);
		fputc('}', f);
	}
	if (!rc && step < 0)
		rc = step;
	fputs("]}", f);
done:
	tp_rows_close(r);
	tp_view_close(v);
	return rc;
}
