#!/bin/sh
# Writes the Caddyfile and runs Caddy. Every address the name UPSTREAM_HOST resolves to (one per web container,
# so `--scale web=N` needs no change here) gets requests in turn; a container that cannot be reached is skipped
# (the request goes to the next one) and left out for FAIL_SECONDS. Requests in flight on a container that dies
# get a 502, and for a few seconds after, POSTs may get 502/503 (Caddy 2.6 cannot resend a request body, and its
# failed resend marks the healthy container as failed too); clients repeat them with the same Idempotency-Key.
# Not buffer_requests: with it, Caddy 2.6 resent another request's body (a 201 carrying someone else's
# registration in the container test). With a certificate in /certs (cert.pem,
# key.pem) Caddy terminates TLS on 443 and redirects 80 there; without one it serves plain HTTP on 80, for
# running behind another TLS terminator. Caddy sets X-Forwarded-For and X-Forwarded-Proto.
set -eu
upstream_host="${UPSTREAM_HOST:-web}"
upstream_port="${UPSTREAM_PORT:-8000}"
fail_seconds="${FAIL_SECONDS:-10}"
# Behind another proxy (a load balancer), PROXY_TRUSTED names its addresses (CIDRs, or private_ranges): Caddy then
# keeps the X-Forwarded-For it sends instead of replacing it with the load balancer's address.
trusted=""
if [ -n "${PROXY_TRUSTED:-}" ]; then
  trusted="trusted_proxies ${PROXY_TRUSTED}"
fi
cat > /etc/caddy/Caddyfile <<CADDY
{
	admin off
	auto_https disable_redirects
}

(moteplass) {
	request_body {
		max_size 2MB
	}
	reverse_proxy {
		dynamic a ${upstream_host} ${upstream_port} {
			refresh 1s
		}
		${trusted}
		lb_policy round_robin
		lb_try_duration 10s
		lb_try_interval 100ms
		fail_duration ${fail_seconds}s
		transport http {
			dial_timeout 2s
		}
	}
}
CADDY
if [ -s /certs/cert.pem ] && [ -s /certs/key.pem ]; then
  cat >> /etc/caddy/Caddyfile <<CADDY

:443 {
	tls /certs/cert.pem /certs/key.pem
	import moteplass
}

:80 {
	redir https://{host}{uri} 308
}
CADDY
else
  cat >> /etc/caddy/Caddyfile <<CADDY

:80 {
	import moteplass
}
CADDY
fi
exec caddy run --config /etc/caddy/Caddyfile --adapter caddyfile
