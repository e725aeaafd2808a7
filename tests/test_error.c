/*
 * test_error.c: the last-error slot (geo/error.c): a message that quotes
 * the slot, context added in front, and a failure carried from a worker
 * thread to its caller (geo/parallel.c); the libraries' reasons in it
 * (geo/geo.c).
 */
#include "geo/error.h"
#include "geo/geo.h"
#include "geo/parallel.h"
#include "tests/check.h"

#include <errno.h>
#include <stdlib.h>

static void a_message_may_quote_the_slot_itself(void)
{
	char want[1200], body[1000];

	memset(body, 'w', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	memcpy(body, "no transformation from", 22);
	tp_error_set(TP_EINPUT, "%s", body);
	snprintf(want, sizeof(want), "pts.gpkg: %s", body);
	CHECK(tp_error_set(TP_EINPUT, "%s: %s", "pts.gpkg", tp_error_last()) == TP_EINPUT);
	CHECK_STR(tp_error_last(), want);
}

static void wrap_adds_context_in_front_and_keeps_the_code(void)
{
	tp_error_set(TP_EINPUT, "row 3: geometry is not a polygon");
	CHECK(tp_error_wrap(TP_EINPUT, "%s, layer %s", "polys.gpkg", "zones") == TP_EINPUT);
	CHECK_STR(tp_error_last(), "polys.gpkg, layer zones: row 3: geometry is not a polygon");
	CHECK(tp_error_code() == TP_EINPUT);

	/* the code is the one the failing call returned, kept through the layers */
	tp_error_set(TP_ERROR, "out of memory");
	CHECK(tp_error_wrap(TP_ERROR, "%s", "pts.gpkg") == TP_ERROR);
	CHECK(tp_error_wrap(TP_ERROR, "validate stage") == TP_ERROR);
	CHECK_STR(tp_error_last(), "validate stage: pts.gpkg: out of memory");
	CHECK(tp_exit_code(tp_error_code()) == TP_EXIT_INTERNAL);
}

static void wrap_of_an_empty_slot_says_no_reason_was_recorded(void)
{
	tp_error_clear();
	CHECK(tp_error_wrap(TP_EOUTPUT, "out.csv") == TP_EOUTPUT);
	CHECK_STR(tp_error_last(), "out.csv: failed, and no reason was recorded");
}

static void a_long_message_is_cut_to_the_slot(void)
{
	char big[3 * TP_ERROR_MSG_MAX];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tp_error_set(TP_EINPUT, "%s", big);
	CHECK(strlen(tp_error_last()) == TP_ERROR_MSG_MAX - 1);
	tp_error_wrap(TP_EINPUT, "%s", "file.gpkg");
	CHECK(strlen(tp_error_last()) == TP_ERROR_MSG_MAX - 1);
	CHECK(!strncmp(tp_error_last(), "file.gpkg: xxx", 14));
	tp_error_wrap(TP_EINPUT, "%s", big);
	CHECK(strlen(tp_error_last()) == TP_ERROR_MSG_MAX - 1);
}

typedef struct {
	int fail;            /* the code this job fails with, or TP_OK */
	tp_error_state err;  /* its failure */
} job;

static void *worker(void *arg)
{
	job *jb = arg;

	if (jb->fail) {
		/* as a write the disk refused leaves it (Cairo's stream, a file's) */
		errno = jb->fail == TP_EOUTPUT ? ENOSPC : 0;
		tp_error_save(&jb->err, tp_error_set(jb->fail, "worker failing with %d", jb->fail));
	}
	return NULL;
}

static void a_worker_failure_reaches_the_caller_with_its_code(void)
{
	job jobs[4] = {{.fail = TP_OK}, {.fail = TP_EINPUT}, {.fail = TP_EOUTPUT}, {.fail = TP_OK}};
	int rc = TP_OK, t;

	tp_error_set(TP_ECONFIG, "the caller's own, older message");
	tp_parallel(worker, jobs, sizeof(*jobs), 4);
	/* the workers wrote their own slots, not the caller's */
	CHECK_STR(tp_error_last(), "the caller's own, older message");
	for (t = 0; t < 4 && !rc; t++)
		rc = tp_error_restore(&jobs[t].err);
	CHECK(rc == TP_EINPUT);
	CHECK(tp_error_code() == TP_EINPUT);
	CHECK_STR(tp_error_last(), "worker failing with -4");
	/* a disk-full worker's errno reaches the caller's thread, which names the disk */
	errno = 0;
	CHECK(tp_error_restore(&jobs[2].err) == TP_EOUTPUT);
	CHECK(errno == ENOSPC);
}

static void a_worker_that_succeeds_leaves_the_slot_alone(void)
{
	job jobs[2] = {{.fail = TP_OK}, {.fail = TP_OK}};
	int rc = TP_OK, t;

	tp_error_clear();
	tp_parallel(worker, jobs, sizeof(*jobs), 2);
	for (t = 0; t < 2 && !rc; t++)
		rc = tp_error_restore(&jobs[t].err);
	CHECK(rc == TP_OK);
	CHECK_STR(tp_error_last(), "");
}

static void save_keeps_the_first_failure(void)
{
	tp_error_state st = {0};

	CHECK(tp_error_save(&st, TP_OK) == TP_OK && st.code == TP_OK);
	tp_error_set(TP_EINPUT, "first");
	CHECK(tp_error_save(&st, TP_EINPUT) == TP_EINPUT);
	tp_error_set(TP_ERROR, "second");
	CHECK(tp_error_save(&st, TP_ERROR) == TP_ERROR);
	CHECK(st.code == TP_EINPUT);
	CHECK_STR(st.msg, "first");
}

static void an_unknown_crs_gives_projs_reason(void)
{
	tp_geo *g = NULL;
	tp_transform *t = NULL;

	CHECK(tp_geo_new(&g) == TP_OK);
	if (!g)
		return;
	CHECK(tp_transform_new(&t, g, "EPSG:999999", "EPSG:31370") == TP_EINPUT);
	CHECK(t == NULL);
	/* the CRS named, then what PROJ said about it */
	CHECK(!strncmp(tp_error_last(), "unknown CRS 'EPSG:999999': ", 27));
	CHECK(strlen(tp_error_last()) > 27);
	tp_geo_free(g);
}

int main(void)
{
	a_message_may_quote_the_slot_itself();
	wrap_adds_context_in_front_and_keeps_the_code();
	wrap_of_an_empty_slot_says_no_reason_was_recorded();
	a_long_message_is_cut_to_the_slot();
	a_worker_failure_reaches_the_caller_with_its_code();
	a_worker_that_succeeds_leaves_the_slot_alone();
	save_keeps_the_first_failure();
	an_unknown_crs_gives_projs_reason();
	return check_report("test_error");
}
