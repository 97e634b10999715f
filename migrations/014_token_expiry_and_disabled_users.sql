-- Every bearer token expires (a year unless chosen otherwise; tokens without an expiry get a year from now),
-- and a user can be deactivated: a disabled user's tokens, sessions and password links stop working.
UPDATE api_tokens SET expires_at = now() + interval '365 days' WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
