# PgBouncer from Debian's packages in transaction mode, for the compose `pgbouncer` profile.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pgbouncer \
 && rm -rf /var/lib/apt/lists/*
COPY docker/pgbouncer-entrypoint.sh /usr/local/bin/pgbouncer-entrypoint
EXPOSE 6432
ENTRYPOINT ["sh", "/usr/local/bin/pgbouncer-entrypoint"]
