-- Rate limits of anonymous POSTs, shared by every web process: one counter per key and fixed window.
-- The key is a keyed hash (SECRET_KEY) of what is counted - a client address or a target e-mail address -
-- so the table holds neither. UNLOGGED: a crash forgets at most one window of counting, which is harmless,
-- and the hot path writes no WAL. The worker's hourly prune drops windows that have ended.
CREATE UNLOGGED TABLE rate_limit_counts (
    key             bytea NOT NULL,
    window_ends_at  timestamptz NOT NULL,
    hits            integer NOT NULL,
    CONSTRAINT rate_limit_counts_pkey PRIMARY KEY (key, window_ends_at)
);

-- Wrong passwords are counted per account and client address, so that failures from one address lock
-- only that address out: a stranger can no longer lock the real admin out of the console.
ALTER TABLE console_sign_in_failures ADD COLUMN client text NOT NULL DEFAULT '';
DROP INDEX console_sign_in_failures_email_idx;
CREATE INDEX console_sign_in_failures_email_client_idx ON console_sign_in_failures (email, client, at);
