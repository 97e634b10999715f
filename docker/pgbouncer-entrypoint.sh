#!/bin/sh
# Writes PgBouncer's configuration from the environment and runs it as the postgres user.
# DB_HOST, DB_PORT: the PostgreSQL server; DB_USER, DB_PASSWORD: the one login clients and PgBouncer use;
# PGBOUNCER_POOL_SIZE: server connections per database (all web processes share them);
# PGBOUNCER_MAX_CLIENTS: client connections accepted (web processes x DB_POOL_SIZE, with room to spare).
# PgBouncer refuses statement_timeout and lock_timeout as startup parameters, so it drops the ones the service
# sends and sets them on every server connection it opens instead (the web defaults: REQUEST_TIMEOUT - 0.5 s and
# DB_LOCK_TIMEOUT): PGBOUNCER_STATEMENT_TIMEOUT_MS, PGBOUNCER_LOCK_TIMEOUT_MS.
set -eu
: "${DB_PASSWORD:?DB_PASSWORD is not set}"
mkdir -p /run/pgbouncer
printf '"%s" "%s"\n' "${DB_USER:-postgres}" "$DB_PASSWORD" > /run/pgbouncer/users.txt
cat > /run/pgbouncer/pgbouncer.ini <<INI
[databases]
* = host=${DB_HOST:-db} port=${DB_PORT:-5432} connect_query='SET statement_timeout = ${PGBOUNCER_STATEMENT_TIMEOUT_MS:-4500}; SET lock_timeout = ${PGBOUNCER_LOCK_TIMEOUT_MS:-2000}'

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = /run/pgbouncer/users.txt
pool_mode = transaction
default_pool_size = ${PGBOUNCER_POOL_SIZE:-20}
max_client_conn = ${PGBOUNCER_MAX_CLIENTS:-1000}
ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout
server_reset_query =
INI
chown -R postgres:postgres /run/pgbouncer
chmod 600 /run/pgbouncer/users.txt
exec pgbouncer -u postgres /run/pgbouncer/pgbouncer.ini
