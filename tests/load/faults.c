/*
 * Faults during a load, on real processes and a real server: the iffa
 * process killed with SIGKILL mid-COPY, the server stopped in immediate
 * mode mid-load, and two loads of the same file at once. Each time nothing
 * of the interrupted file is in the database, and loading it again puts
 * every row in exactly once.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/testdb.h"

#define NTRANSFERS 150000

static char dir[256];

static void generate(const char *tag)
{
	iffa_generate_options o = IFFA_GENERATE_OPTIONS_INIT;
	iffa_generate_result r;

	snprintf(dir, sizeof(dir), "/tmp/iffa-test-faults-%s-%ld", tag, (long)getpid());
	o.seed = 5;
	o.transfers = NTRANSFERS;
	o.out_dir = dir;
	cr_assert_eq(iffa_generate(&r, &o), 0, "%s", iffa_error_last());
}

static void remove_dir(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void load_ok(iffa_db *db, iffa_load_kind kind, long long *loaded)
{
	iffa_load_options o = IFFA_LOAD_OPTIONS_INIT;
	iffa_load_result r;
	char path[400];

	snprintf(path, sizeof(path), "%s/%s.csv", dir, iffa_load_kind_name(kind));
	iffa_load_result_init(&r);
	cr_assert_eq(iffa_load_file(&r, db, kind, path, &o), 0, "%s: %s", path,
		     r.errors_count ? r.errors[0].message : iffa_error_last());
	if (loaded)
		*loaded = r.rows_loaded;
	iffa_load_result_dispose(&r);
}

static void load_prerequisites(iffa_db *db)
{
	load_ok(db, IFFA_LOAD_PARTY, NULL);
	load_ok(db, IFFA_LOAD_ACCOUNT, NULL);
	load_ok(db, IFFA_LOAD_FX_RATE, NULL);
}

/* Start `iffa --db CONNINFO load transfer DIR/transfer.csv` in a child. */
static pid_t spawn_load(const char *conninfo)
{
	char path[400];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/transfer.csv", dir);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* The child's own messages would only clutter the test log. */
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(126);
		execl(testdb_iffa_bin(), "iffa", "--db", conninfo, "load", "transfer", path,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait until the server has taken at least `rows` rows of a COPY into `dbname`. */
static void wait_for_copy(iffa_db *watch, const char *dbname, long long rows)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy "
		 "WHERE datname = '%s'", dbname);
	for (int i = 0; i < 6000; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		if (testdb_scalar(watch, sql) >= rows)
			return;
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("the load never reached %lld rows of COPY", rows);
}

static void assert_loaded_exactly_once(iffa_db *db)
{
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer"), NTRANSFERS);
	cr_assert_eq(testdb_scalar(db, "SELECT count(DISTINCT (source, source_ref)) FROM transfer"),
		     NTRANSFERS);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE kind = 'transfer' "
				       "AND rows_loaded > 0"), 1);
}

Test(load_faults, a_load_killed_mid_copy_leaves_nothing_and_reloads_once, .fini = remove_dir,
     .timeout = 600)
{
	char ci[128];
	iffa_db *db;
	pid_t pid;
	int status;
	long long loaded = 0;

	generate("kill");
	testdb_fresh(ci, sizeof(ci), "t_load_faults_kill", 1);
	db = testdb_connect(ci);
	load_prerequisites(db);

	pid = spawn_load(ci);
	wait_for_copy(db, "t_load_faults_kill", 1000);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "the load finished before it was killed; make the file larger");

	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE kind = 'transfer'"), 0);

	/* The dead client's transaction is rolled back by the server; the
	 * reload waits for its lock if it is still going. */
	load_ok(db, IFFA_LOAD_TRANSFER, &loaded);
	cr_assert_eq(loaded, NTRANSFERS);
	assert_loaded_exactly_once(db);
	iffa_db_free(db);
}

Test(load_faults, two_loads_of_one_file_at_once_put_each_row_in_once, .fini = remove_dir,
     .timeout = 600)
{
	char ci[128];
	iffa_db *db;
	pid_t a, b;
	int sa, sb;

	generate("twice");
	testdb_fresh(ci, sizeof(ci), "t_load_faults_twice", 1);
	db = testdb_connect(ci);
	load_prerequisites(db);

	a = spawn_load(ci);
	b = spawn_load(ci);
	cr_assert_eq(waitpid(a, &sa, 0), a);
	cr_assert_eq(waitpid(b, &sb, 0), b);
	cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "first load: status %d", sa);
	cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "second load: status %d", sb);
	assert_loaded_exactly_once(db);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE kind = 'transfer' "
				       "AND rows_duplicate = rows_read"), 1);
	iffa_db_free(db);
}

/* The server stopped hard (pg_ctl stop -m immediate) in the middle of a load. */
Test(load_faults, a_server_stopped_hard_mid_load_leaves_nothing_and_reloads_once,
     .fini = remove_dir, .timeout = 600)
{
	char pgdir[256], cmd[600], line[512], ci[400];
	char host[300] = "", port[16] = "";
	iffa_db *db;
	FILE *p;
	pid_t pid;
	int status;
	long long loaded = 0;

	generate("crash");
	/* A cluster of its own: the shared test server must stay up. */
	snprintf(pgdir, sizeof(pgdir), "/tmp/iffa-test-crash-pg-%ld", (long)getpid());
	snprintf(cmd, sizeof(cmd), "%s/tools/pg.sh start '%s' --fast", IFFA_SOURCE_DIR, pgdir);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *h = strstr(line, "PGHOST="), *q = strstr(line, "PGPORT=");
		if (h)
			sscanf(h + 7, "%299s", host);
		if (q)
			sscanf(q + 7, "%15s", port);
	}
	cr_assert_eq(pclose(p), 0, "could not start a private cluster in %s", pgdir);
	snprintf(ci, sizeof(ci), "host=%s port=%s user=iffa dbname=iffa", host, port);

	db = testdb_connect(ci);
	cr_assert_eq(iffa_db_migrate(db, NULL), 0, "%s", iffa_error_last());
	load_prerequisites(db);

	pid = spawn_load(ci);
	wait_for_copy(db, "iffa", 1000);
	snprintf(cmd, sizeof(cmd), "%s/tools/pg.sh crash '%s'", IFFA_SOURCE_DIR, pgdir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0,
		  "the load must fail when its server goes away (status %d)", status);
	iffa_db_free(db);

	snprintf(cmd, sizeof(cmd), "%s/tools/pg.sh start '%s' --fast >/dev/null", IFFA_SOURCE_DIR,
		 pgdir);
	cr_assert_eq(system(cmd), 0);
	db = testdb_connect(ci);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM transfer"), 0);
	cr_assert_eq(testdb_scalar(db, "SELECT count(*) FROM load_batch WHERE kind = 'transfer'"), 0);
	load_ok(db, IFFA_LOAD_TRANSFER, &loaded);
	cr_assert_eq(loaded, NTRANSFERS);
	assert_loaded_exactly_once(db);
	iffa_db_free(db);

	snprintf(cmd, sizeof(cmd), "%s/tools/pg.sh wipe '%s'", IFFA_SOURCE_DIR, pgdir);
	cr_assert_eq(system(cmd), 0);
}
