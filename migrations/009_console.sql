-- The organiser console: passwords, sessions, sign-in failures (lockout), password links (reset and
-- invitation), and the indexes its registrations table and detail page read through.

-- An argon2 hash per user who may sign in to the console (users invited but not yet set up have none).
CREATE TABLE console_passwords (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash        text NOT NULL,
    set_at      timestamptz NOT NULL,
    CONSTRAINT console_passwords_hash_check CHECK (hash LIKE '$argon2%')
);

-- A session is the SHA-256 of the random cookie value; the cookie itself is never stored.
CREATE TABLE console_sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    CONSTRAINT console_sessions_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX console_sessions_user_idx ON console_sessions (user_id);
CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at);

-- Wrong passwords per address (also addresses without an account, so a lockout says nothing about who
-- has one); enough of them inside the window lock the address until the oldest falls out of it.
CREATE TABLE console_sign_in_failures (
    id     bigserial PRIMARY KEY,
    email  text NOT NULL,
    at     timestamptz NOT NULL
);
CREATE INDEX console_sign_in_failures_email_idx ON console_sign_in_failures (email, at);

-- A link to set a password: `reset` (forgot password) or `invite` (first sign-in). The link carries the id
-- and an HMAC of it, so neither the jobs table nor this one holds anything that opens an account.
CREATE TABLE console_password_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CONSTRAINT console_password_links_purpose_check CHECK (purpose IN ('reset', 'invite')),
    CONSTRAINT console_password_links_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX console_password_links_user_idx ON console_password_links (user_id, created_at);

-- The registrations table pages by keyset: arrival order, and name then arrival order.
CREATE INDEX registrations_event_queue_idx ON registrations (event_id, queue_seq);
CREATE INDEX registrations_event_name_queue_idx ON registrations (event_id, lower(name), queue_seq);

-- A person's detail page lists the mails sent about them.
CREATE INDEX jobs_registration_idx ON jobs ((payload ->> 'registration_id'))
    WHERE payload ? 'registration_id';
