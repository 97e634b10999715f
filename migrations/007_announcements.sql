-- Announcements from organisers to attendees, and the Slack app's state: each event's notification channel,
-- Slack users linked to organisers, posted messages (so a retried job never posts twice), the per-channel
-- pace, signatures already seen (replays), and response_url uses.

CREATE TABLE announcements (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    audience        text NOT NULL,
    audience_ref    text,
    subject         jsonb NOT NULL,
    body            jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'draft',
    send_at         timestamptz,
    -- Where the draft came from (a Slack modal's view id): a resubmission updates the same draft.
    source_key      text,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    actor           text NOT NULL,
    report_to       jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    sent_at         timestamptz,
    recipients      integer,
    mails_sent      integer NOT NULL DEFAULT 0,
    mails_failed    integer NOT NULL DEFAULT 0,
    mails_skipped   integer NOT NULL DEFAULT 0,
    channel_posted  boolean,
    reported_at     timestamptz,
    CONSTRAINT announcements_status_check CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    CONSTRAINT announcements_audience_check CHECK (audience IN ('confirmed', 'waitlisted', 'checked_in', 'session')),
    CONSTRAINT announcements_subject_check CHECK (jsonb_typeof(subject) = 'object' AND subject ? 'nb'),
    CONSTRAINT announcements_body_check CHECK (jsonb_typeof(body) = 'object' AND body ? 'nb'),
    CONSTRAINT announcements_source_key_key UNIQUE (source_key),
    CONSTRAINT announcements_counts_check CHECK (
        recipients IS NULL OR mails_sent + mails_failed + mails_skipped <= recipients)
);
CREATE INDEX announcements_event_idx ON announcements (event_id, sent_at DESC) WHERE status IN ('sending', 'sent');

-- Who an announcement goes to, fixed when sending starts. An erased registration leaves its row (NULL) so that
-- the counts still add up; its mail is skipped. A worker marks a row `sending` (claimed_at) while it talks to the
-- SMTP server, so a second worker that got the same job (an expired lease) does not send it again.
CREATE TABLE announcement_recipients (
    id               bigserial PRIMARY KEY,
    announcement_id  uuid NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    registration_id  uuid REFERENCES registrations (id) ON DELETE SET NULL,
    status           text NOT NULL DEFAULT 'pending',
    claimed_at       timestamptz,
    done_at          timestamptz,
    error            text,
    CONSTRAINT announcement_recipients_status_check CHECK (
        status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    CONSTRAINT announcement_recipients_once_key UNIQUE (announcement_id, registration_id)
);

-- One notification channel per event, and what was last reported there (notifications are batched).
CREATE TABLE event_slack_channels (
    event_id             uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    channel_id           text NOT NULL,
    set_by               text NOT NULL,
    set_at               timestamptz NOT NULL DEFAULT now(),
    seen_confirmed       integer NOT NULL DEFAULT 0,
    seen_waitlisted      integer NOT NULL DEFAULT 0,
    seen_cancelled       integer NOT NULL DEFAULT 0,
    milestones           text[] NOT NULL DEFAULT '{}',
    seen_dead_job        bigint NOT NULL DEFAULT 0,
    CONSTRAINT event_slack_channels_channel_check CHECK (channel_id ~ '^[CGD][A-Z0-9]{2,30}$')
);

CREATE TABLE slack_user_links (
    team_id        text NOT NULL,
    slack_user_id  text NOT NULL,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linked_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, slack_user_id)
);

-- A message posted for one effect (its key), with Slack's ts: a retried job finds it and does not post again.
CREATE TABLE slack_messages (
    effect_key  text PRIMARY KEY,
    channel_id  text NOT NULL,
    ts          text NOT NULL,
    posted_at   timestamptz NOT NULL DEFAULT now()
);

-- The next moment a message may go to a channel (Slack allows about one per second per channel).
CREATE TABLE slack_channel_pace (
    channel_id  text PRIMARY KEY,
    next_at     timestamptz NOT NULL
);

-- Signatures of accepted requests, kept a little longer than the 5-minute window: a replay is refused.
CREATE TABLE slack_requests_seen (
    signature  text PRIMARY KEY,
    seen_at    timestamptz NOT NULL
);
CREATE INDEX slack_requests_seen_at_idx ON slack_requests_seen (seen_at);

-- A response_url may be used 5 times within 30 minutes.
CREATE TABLE slack_response_urls (
    url_hash       bytea PRIMARY KEY,
    first_used_at  timestamptz NOT NULL,
    uses           integer NOT NULL DEFAULT 0,
    CONSTRAINT slack_response_urls_uses_check CHECK (uses BETWEEN 0 AND 5)
);
