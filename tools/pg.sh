#!/usr/bin/env bash
# A private PostgreSQL cluster for iffa's demo, tests and benchmarks: its
# data directory inside the project (var/pg by default), Unix socket only,
# a free port, trust authentication on that socket. As root the server runs
# as the postgres user, since PostgreSQL refuses to run as root.
#
#   tools/pg.sh start [DIR] [--fast]   create (first time) and start; prints
#                                      `export PG...` lines for the shell
#   tools/pg.sh stop  [DIR]            stop it (fast shutdown)
#   tools/pg.sh env   [DIR]            print the `export` lines again
#   tools/pg.sh wipe  [DIR]            stop it and delete DIR
#   tools/pg.sh crash [DIR]            stop it the hard way (immediate mode:
#                                      no checkpoint, recovery at next start)
#
# --fast turns off fsync and synchronous_commit (test clusters only: a
# crash loses data). --tls makes a test CA, a server certificate for
# "localhost" signed by it and a second, unrelated CA in DIR/tls, and also
# listens on 127.0.0.1 with TLS (clients use sslmode=verify-full and
# sslrootcert=DIR/tls/ca.crt).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmd=${1:-}
shift || true
dir="$root/var/pg"
fast=0
tls=0
for a in "$@"; do
	case "$a" in
	--fast) fast=1 ;;
	--tls) tls=1 ;;
	*) dir=$a ;;
	esac
done

die() { echo "pg.sh: $*" >&2; exit 1; }

# Absolute paths only: the socket directory is handed to clients.
case "$dir" in
/*) ;;
*) dir="$PWD/$dir" ;;
esac

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ] ||
	die "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)"

as_server() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# As root, the postgres user must reach DIR; a clone under /root cannot be
# reached, so the cluster then lives under /tmp, named after DIR.
resolve_dir() {
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
		local alt
		alt="/tmp/iffa-pg-$(printf '%s' "$dir" | sha256sum | cut -c1-12)"
		mkdir -p "$alt"
		echo "pg.sh: the postgres user cannot reach $dir; using $alt" >&2
		echo "$alt" >"$dir/location"
		dir=$alt
	fi
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$dir"
	fi
	chmod 0700 "$dir"
}

sockdir() {
	local s="$dir/run"
	# Unix socket paths are limited to 107 bytes.
	if [ ${#s} -gt 80 ]; then
		s="/tmp/iffa-sock-$(printf '%s' "$dir" | sha256sum | cut -c1-12)"
	fi
	printf '%s' "$s"
}

free_port() {
	local p
	for p in $(seq 54320 54420); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
			[ ! -e "$(sockdir)/.s.PGSQL.$p" ]; then
			echo "$p"
			return 0
		fi
	done
	die "no free port in 54320-54420"
}

print_env() {
	echo "export PGHOST=$(sockdir) PGPORT=$(cat "$dir/port") PGUSER=iffa PGDATABASE=iffa IFFA_PG_DIR=$dir"
}

running() {
	[ -f "$dir/data/postmaster.pid" ] && as_server "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

make_tls() {
	local t="$dir/tls"
	[ -f "$t/server.key" ] && return 0
	mkdir -p "$t"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=iffa test CA" \
		-keyout "$t/ca.key" -out "$t/ca.crt" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=unrelated CA" \
		-keyout "$t/other-ca.key" -out "$t/other-ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost\n' >"$t/ext"
	openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" \
		-CAcreateserial -days 30 -extfile "$t/ext" -out "$t/server.crt" 2>/dev/null
	chmod 0600 "$t/server.key" "$t/ca.key" "$t/other-ca.key"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$t/server.key" "$t/server.crt"
	chmod 0755 "$t"
	chmod 0644 "$t/ca.crt" "$t/other-ca.crt"
}

start() {
	resolve_dir
	local s
	s=$(sockdir)
	mkdir -p "$s"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$s"
	chmod 0700 "$s"
	if running; then
		print_env
		return 0
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_server "$bindir/initdb" -D "$dir/data" -U iffa --auth=trust -E UTF8 \
			--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	fi
	[ "$tls" = 1 ] && make_tls
	free_port >"$dir/port"
	{
		echo "# written by tools/pg.sh at each start"
		if [ "$tls" = 1 ]; then
			echo "listen_addresses = '127.0.0.1'"
			echo "ssl = on"
			echo "ssl_cert_file = '$dir/tls/server.crt'"
			echo "ssl_key_file = '$dir/tls/server.key'"
		else
			echo "listen_addresses = ''"
		fi
		echo "port = $(cat "$dir/port")"
		echo "unix_socket_directories = '$s'"
		echo "max_connections = 100"
		echo "shared_buffers = 256MB"
		echo "max_wal_size = 4GB"
		echo "work_mem = 64MB"
		echo "maintenance_work_mem = 256MB"
		if [ "$fast" = 1 ]; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >"$dir/iffa.conf"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/iffa.conf" "$dir/port"
	grep -q "include_if_exists = '$dir/iffa.conf'" "$dir/data/postgresql.conf" ||
		echo "include_if_exists = '$dir/iffa.conf'" >>"$dir/data/postgresql.conf"
	as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ tail -n 20 "$dir/server.log" >&2; die "the server did not start (log: $dir/server.log)"; }
	local port
	port=$(cat "$dir/port")
	if ! "$bindir/psql" -h "$s" -p "$port" -U iffa -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = 'iffa'" | grep -q 1; then
		"$bindir/createdb" -h "$s" -p "$port" -U iffa iffa
	fi
	print_env
}

stop() {
	[ -f "$dir/location" ] && dir=$(cat "$dir/location")
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_server "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
}

crash() {
	[ -f "$dir/location" ] && dir=$(cat "$dir/location")
	as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
}

case "$cmd" in
start) start ;;
crash) crash ;;
stop) stop ;;
env)
	[ -f "$dir/location" ] && dir=$(cat "$dir/location")
	print_env
	;;
wipe)
	stop
	[ -f "$dir/location" ] && rm -rf "$(cat "$dir/location")"
	rm -rf "$dir"
	;;
*)
	sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
