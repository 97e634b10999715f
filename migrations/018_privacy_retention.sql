-- Privacy that holds: a retention period per event (NULL: the RETENTION_DAYS setting), and the mark a prize
-- winner's nomination gets when the purge has stripped it down to the prize's public history.

ALTER TABLE events ADD COLUMN retention_days integer;
ALTER TABLE events ADD CONSTRAINT events_retention_days_check
    CHECK (retention_days IS NULL OR retention_days BETWEEN 1 AND 3650);

-- Set when a winner's nomination was kept as prize history: nominee name, title and organisation stay; the
-- nominator, the contact addresses and the justification are gone.
ALTER TABLE nominations ADD COLUMN purged_at timestamptz;

-- The purge finds the nominations of calls that closed long ago, and expired console sessions, by index.
CREATE INDEX prize_calls_scoring_closes_idx ON prize_calls (scoring_closes_at);
CREATE INDEX console_sign_in_failures_at_idx ON console_sign_in_failures (at);
-- A person is searched for by address across every event.
CREATE INDEX registrations_email_norm_idx ON registrations (email_norm);
