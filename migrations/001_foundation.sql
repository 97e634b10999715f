-- Users, tokens, events, the job queue, idempotency keys and the audit log.

CREATE TABLE users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text NOT NULL,
    name        text NOT NULL DEFAULT '',
    role        text NOT NULL,
    language    text NOT NULL DEFAULT 'nb',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_role_check CHECK (role IN ('admin', 'organiser', 'jury', 'door')),
    CONSTRAINT users_language_check CHECK (language IN ('nb', 'nn', 'en')),
    CONSTRAINT users_email_check CHECK (email = lower(email) AND email LIKE '%_@_%')
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    bytea NOT NULL,
    label         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE events (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                    text NOT NULL,
    kind                    text NOT NULL,
    title                   jsonb NOT NULL,
    description             jsonb NOT NULL DEFAULT '{}',
    venue                   text NOT NULL DEFAULT '',
    address                 text NOT NULL DEFAULT '',
    starts_at               timestamptz NOT NULL,
    ends_at                 timestamptz NOT NULL,
    capacity                integer NOT NULL,
    registration_opens_at   timestamptz,
    registration_closes_at  timestamptz,
    registration_paused     boolean NOT NULL DEFAULT false,
    status                  text NOT NULL DEFAULT 'draft',
    series                  text,
    organiser_name          text NOT NULL DEFAULT '',
    created_by              uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_slug_key UNIQUE (slug),
    CONSTRAINT events_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    CONSTRAINT events_kind_check CHECK (kind IN ('conference', 'workshop')),
    CONSTRAINT events_status_check CHECK (status IN ('draft', 'published', 'cancelled')),
    CONSTRAINT events_title_check CHECK (jsonb_typeof(title) = 'object' AND title ? 'nb'),
    CONSTRAINT events_time_check CHECK (ends_at > starts_at),
    CONSTRAINT events_capacity_check CHECK (capacity >= 0),
    CONSTRAINT events_window_check CHECK (
        registration_opens_at IS NULL OR registration_closes_at IS NULL
        OR registration_closes_at > registration_opens_at)
);
CREATE INDEX events_starts_at_idx ON events (starts_at) WHERE status = 'published';

-- Organisers, door devices and jurors act only on the events they are scoped to; admins on all.
CREATE TABLE user_event_scopes (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id  uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, event_id)
);

-- The transactional outbox: a job row is written in the transaction that causes it.
CREATE TABLE jobs (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}',
    dedupe_key    text,
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 8,
    run_after     timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz,
    locked_by     text,
    done_at       timestamptz,
    dead_at       timestamptz,
    last_error    text,
    result        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_dedupe_key_key UNIQUE (dedupe_key),
    CONSTRAINT jobs_attempts_check CHECK (attempts >= 0)
);
CREATE INDEX jobs_ready_idx ON jobs (run_after, id) WHERE done_at IS NULL AND dead_at IS NULL;

CREATE TABLE idempotency_keys (
    principal     text NOT NULL,
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    status_code   integer NOT NULL,
    body          bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key),
    CONSTRAINT idempotency_keys_key_check CHECK (length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    event_id  uuid REFERENCES events (id) ON DELETE CASCADE,
    action    text NOT NULL,
    data      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_event_idx ON audit_log (event_id, at);

