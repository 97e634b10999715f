# The reverse proxy in front of the web containers: Caddy from Debian's packages.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends caddy \
 && rm -rf /var/lib/apt/lists/*
COPY docker/proxy-entrypoint.sh /usr/local/bin/proxy-entrypoint
EXPOSE 80 443
ENTRYPOINT ["sh", "/usr/local/bin/proxy-entrypoint"]
