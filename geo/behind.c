/*
 * behind.c: an SQLite file whose writes are made on a thread of their own
 * (behind.h).
 */
#include "geo/behind.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Writes queued at most.  SQLite writes a page at a time (64 KiB in the
 * GeoPackages made here), one when its cache spills and many at a commit:
 * a few queued let the caller go on while the thread writes, more only
 * hold memory (and at a commit the caller waits for the last ones anyway).
 */
#define SLOTS 16

typedef struct {
	void *buf;          /* the page, a copy */
	int amt;            /* its bytes */
	size_t cap;         /* buf's room */
	sqlite3_int64 off;  /* where it goes */
} slot;

typedef struct {
	sqlite3_file *real;     /* the default VFS's file */
	slot slots[SLOTS];      /* a ring: head is the next written, count queued */
	int head, count;        /* slots[head] stays queued until written */
	int stop;               /* 1: the thread ends once the queue is empty */
	int err;                /* the first failed write's code, or SQLITE_OK */
	pthread_mutex_t lock;   /* over the above but the slots' bytes */
	pthread_cond_t changed; /* a write queued, made, or stop */
	pthread_t tid;
} queue;

typedef struct {
	sqlite3_file base; /* pMethods: &behind_io, or NULL if not opened */
	sqlite3_file *real; /* the default VFS's file, after this struct */
	queue *q;           /* NULL: every call passes straight through */
} behind_file;

static sqlite3_vfs behind_vfs;

static sqlite3_vfs *real_vfs(void)
{
	return behind_vfs.pAppData;
}

/* ---- the queue -------------------------------------------------------- */

static void *writer(void *arg)
{
	queue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		slot *s;
		int rc;
		while (!q->count && !q->stop)
			pthread_cond_wait(&q->changed, &q->lock);
		if (!q->count)
			break;
		s = &q->slots[q->head];
		pthread_mutex_unlock(&q->lock);
		rc = q->real->pMethods->xWrite(q->real, s->buf, s->amt, s->off);
		pthread_mutex_lock(&q->lock);
		if (rc != SQLITE_OK && q->err == SQLITE_OK)
			q->err = rc;
		q->head = (q->head + 1) % SLOTS;
		q->count--;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* Waits until every write queued on f is made: SQLITE_OK, or the first
 * failed write's code. */
static int drain(behind_file *f)
{
	queue *q = f->q;
	int rc;

	if (!q)
		return SQLITE_OK;
	pthread_mutex_lock(&q->lock);
	while (q->count)
		pthread_cond_wait(&q->changed, &q->lock);
	rc = q->err;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* Queues a copy of the amt bytes of buf for offset off. */
static int enqueue(queue *q, const void *buf, int amt, sqlite3_int64 off)
{
	slot *s;
	int rc;

	pthread_mutex_lock(&q->lock);
	while (q->count == SLOTS && q->err == SQLITE_OK)
		pthread_cond_wait(&q->changed, &q->lock);
	rc = q->err;
	/* the slot after the last queued: the thread reads none but the queued */
	s = &q->slots[(q->head + q->count) % SLOTS];
	pthread_mutex_unlock(&q->lock);
	if (rc != SQLITE_OK)
		return rc;
	if (s->cap < (size_t)amt) {
		void *grown = realloc(s->buf, (size_t)amt);
		if (!grown)
			return SQLITE_NOMEM;
		s->buf = grown;
		s->cap = (size_t)amt;
	}
	memcpy(s->buf, buf, (size_t)amt);
	s->amt = amt;
	s->off = off;
	pthread_mutex_lock(&q->lock);
	q->count++;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return SQLITE_OK;
}

/* A queue and its thread for real, or NULL (the file then passes through). */
static queue *queue_start(sqlite3_file *real)
{
	queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->real = real;
	if (pthread_mutex_init(&q->lock, NULL) == 0) {
		if (pthread_cond_init(&q->changed, NULL) == 0) {
			if (pthread_create(&q->tid, NULL, writer, q) == 0)
				return q;
			pthread_cond_destroy(&q->changed);
		}
		pthread_mutex_destroy(&q->lock);
	}
	free(q);
	return NULL;
}

/* Ends q's thread once its writes are made: the first failed one's code. */
static int queue_end(queue *q)
{
	int rc, i;

	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->tid, NULL);
	rc = q->err;
	for (i = 0; i < SLOTS; i++)
		free(q->slots[i].buf);
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->lock);
	free(q);
	return rc;
}

/* ---- the file's methods: drain, then the default VFS's ------------------- */

#define REAL(f) (((behind_file *)(f))->real)
#define METHODS(f) (REAL(f)->pMethods)

/* rc, or the first failed write's code when there was one. */
#define DRAINED(f, call)                                  \
	do {                                              \
		int rc_ = drain((behind_file *)(f));      \
		if (rc_ != SQLITE_OK)                     \
			return rc_;                       \
		return call;                              \
	} while (0)

static int behind_close(sqlite3_file *f)
{
	behind_file *bf = (behind_file *)f;
	int rc = bf->q ? queue_end(bf->q) : SQLITE_OK, closed;

	bf->q = NULL;
	closed = METHODS(f)->xClose(REAL(f));
	return rc != SQLITE_OK ? rc : closed;
}

static int behind_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	DRAINED(f, METHODS(f)->xRead(REAL(f), buf, amt, off));
}

static int behind_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	behind_file *bf = (behind_file *)f;

	if (!bf->q)
		return METHODS(f)->xWrite(REAL(f), buf, amt, off);
	return enqueue(bf->q, buf, amt, off);
}

static int behind_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	DRAINED(f, METHODS(f)->xTruncate(REAL(f), size));
}

static int behind_sync(sqlite3_file *f, int flags)
{
	DRAINED(f, METHODS(f)->xSync(REAL(f), flags));
}

static int behind_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	DRAINED(f, METHODS(f)->xFileSize(REAL(f), size));
}

static int behind_lock(sqlite3_file *f, int level)
{
	DRAINED(f, METHODS(f)->xLock(REAL(f), level));
}

static int behind_unlock(sqlite3_file *f, int level)
{
	DRAINED(f, METHODS(f)->xUnlock(REAL(f), level));
}

static int behind_check_reserved(sqlite3_file *f, int *out)
{
	DRAINED(f, METHODS(f)->xCheckReservedLock(REAL(f), out));
}

/* SQLITE_FCNTL_SYNC comes at each commit, synchronous=OFF or not: a failed
 * write fails the commit there. */
static int behind_file_control(sqlite3_file *f, int op, void *arg)
{
	DRAINED(f, METHODS(f)->xFileControl(REAL(f), op, arg));
}

/* Fixed at open: nothing to wait for. */
static int behind_sector_size(sqlite3_file *f)
{
	return METHODS(f)->xSectorSize(REAL(f));
}

static int behind_device(sqlite3_file *f)
{
	return METHODS(f)->xDeviceCharacteristics(REAL(f));
}

static int behind_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	DRAINED(f, METHODS(f)->xShmMap(REAL(f), region, size, extend, p));
}

static int behind_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	DRAINED(f, METHODS(f)->xShmLock(REAL(f), offset, n, flags));
}

static void behind_shm_barrier(sqlite3_file *f)
{
	drain((behind_file *)f);
	METHODS(f)->xShmBarrier(REAL(f));
}

static int behind_shm_unmap(sqlite3_file *f, int del)
{
	DRAINED(f, METHODS(f)->xShmUnmap(REAL(f), del));
}

/* Version 2: the shared memory of a WAL passes through, memory-mapped reads
 * (version 3) are not offered. */
static const sqlite3_io_methods behind_io = {
	.iVersion = 2,
	.xClose = behind_close,
	.xRead = behind_read,
	.xWrite = behind_write,
	.xTruncate = behind_truncate,
	.xSync = behind_sync,
	.xFileSize = behind_file_size,
	.xLock = behind_lock,
	.xUnlock = behind_unlock,
	.xCheckReservedLock = behind_check_reserved,
	.xFileControl = behind_file_control,
	.xSectorSize = behind_sector_size,
	.xDeviceCharacteristics = behind_device,
	.xShmMap = behind_shm_map,
	.xShmLock = behind_shm_lock,
	.xShmBarrier = behind_shm_barrier,
	.xShmUnmap = behind_shm_unmap,
};

/* ---- the VFS: the default one's, but xOpen ------------------------------- */

static int behind_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
		       int *out_flags)
{
	behind_file *bf = (behind_file *)f;
	sqlite3_vfs *real = real_vfs();
	int rc;

	(void)vfs;
	memset(bf, 0, sizeof(*bf));
	bf->real = (sqlite3_file *)(bf + 1);
	rc = real->xOpen(real, name, bf->real, flags, out_flags);
	if (rc != SQLITE_OK || !bf->real->pMethods) {
		/* SQLite calls no method of a file that failed to open */
		bf->base.pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	/* only the database file: its journal is written, then synced or read */
	if (flags & SQLITE_OPEN_MAIN_DB)
		bf->q = queue_start(bf->real);
	bf->base.pMethods = &behind_io;
	return SQLITE_OK;
}

static int behind_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	return real_vfs()->xDelete(real_vfs(), name, sync);
}

static int behind_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs()->xAccess(real_vfs(), name, flags, out);
}

static int behind_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs()->xFullPathname(real_vfs(), name, n, out);
}

static void *behind_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs()->xDlOpen(real_vfs(), name);
}

static void behind_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	real_vfs()->xDlError(real_vfs(), n, out);
}

static void (*behind_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs()->xDlSym(real_vfs(), h, sym);
}

static void behind_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs()->xDlClose(real_vfs(), h);
}

static int behind_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs()->xRandomness(real_vfs(), n, out);
}

static int behind_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs()->xSleep(real_vfs(), us);
}

static int behind_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs()->xCurrentTime(real_vfs(), out);
}

static int behind_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs()->xGetLastError(real_vfs(), n, out);
}

static int behind_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs()->xCurrentTimeInt64(real_vfs(), out);
}

static int registered = SQLITE_ERROR;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void register_once(void)
{
	sqlite3_vfs *real;

	if (sqlite3_initialize() != SQLITE_OK || !(real = sqlite3_vfs_find(NULL)))
		return;
	behind_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(behind_file) + real->szOsFile,
		.mxPathname = real->mxPathname,
		.zName = TP_BEHIND_VFS,
		.pAppData = real,
		.xOpen = behind_open,
		.xDelete = behind_delete,
		.xAccess = behind_access,
		.xFullPathname = behind_full_pathname,
		.xDlOpen = behind_dlopen,
		.xDlError = behind_dlerror,
		.xDlSym = behind_dlsym,
		.xDlClose = behind_dlclose,
		.xRandomness = behind_randomness,
		.xSleep = behind_sleep,
		.xCurrentTime = behind_current_time,
		.xGetLastError = behind_last_error,
		.xCurrentTimeInt64 = real->iVersion >= 2 ? behind_current_time64 : NULL,
	};
	registered = sqlite3_vfs_register(&behind_vfs, 0);
}

int tp_behind_register(void)
{
	pthread_once(&once, register_once);
	return registered;
}

char *tp_behind_uri(const char *path)
{
	sqlite3_str *s = sqlite3_str_new(NULL);
	const char *p;

	/* "file:" then the path, its %, ? and # escaped: nothing else is read
	 * from a URI's path but its %HH */
	sqlite3_str_appendall(s, "file:");
	/* a path beginning "//" would be read as an authority */
	if (path[0] == '/' && path[1] == '/')
		sqlite3_str_appendall(s, "//localhost");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sqlite3_str_appendf(s, "%%%02X", (unsigned char)*p);
		else
			sqlite3_str_appendchar(s, 1, *p);
	}
	sqlite3_str_appendall(s, "?vfs=" TP_BEHIND_VFS);
	if (sqlite3_str_errcode(s)) {
		sqlite3_free(sqlite3_str_finish(s));
		return NULL;
	}
	return sqlite3_str_finish(s);
}
