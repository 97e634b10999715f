-- After the event: certificates of attendance. One row per registration whose certificate was queued for mailing,
-- so asking to mail every certificate again (a double press, or weeks later when finished jobs are purged) never
-- mails anyone twice. It goes with the registration.

CREATE TABLE certificate_mails (
    registration_id  uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    queued_at        timestamptz NOT NULL,
    queued_by        text NOT NULL
);
