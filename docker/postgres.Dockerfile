# PostgreSQL from Debian's packages, for the compose deployment on one host (a managed PostgreSQL or the official
# image serve as well: point DATABASE_URL at it). The data lives in the volume at /var/lib/postgresql/data.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
ARG PG_MAJOR=15
ENV PG_MAJOR=${PG_MAJOR} PGDATA=/var/lib/postgresql/data
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
COPY docker/postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --retries=10 CMD ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"]
ENTRYPOINT ["sh", "/usr/local/bin/postgres-entrypoint"]
