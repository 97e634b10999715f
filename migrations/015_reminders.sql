-- Reminders before an event (7 and 1 days before the start unless the organisers choose otherwise), and one
-- delivery row per (registration, reminder): the row is claimed in the same transaction as the reminder's mail
-- job, so however often the fan-out runs (worker restarts, a clock moved) each person gets each reminder once.

-- A reminder is identified by how long before the start it goes (whole seconds, one minute to 60 days). A
-- reminder that is turned off keeps its row (enabled = false), so turning it on again does not send it twice to
-- those who had it; `revision` counts the times it was turned on, and names the job that sends it.
CREATE TABLE event_reminders (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    before_seconds  integer NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    revision        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT event_reminders_event_before_key UNIQUE (event_id, before_seconds),
    CONSTRAINT event_reminders_before_check CHECK (before_seconds BETWEEN 60 AND 60 * 86400)
);

CREATE TABLE reminder_deliveries (
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    reminder_id      uuid NOT NULL REFERENCES event_reminders (id) ON DELETE CASCADE,
    claimed_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    sent_as          text,
    CONSTRAINT reminder_deliveries_pkey PRIMARY KEY (registration_id, reminder_id),
    CONSTRAINT reminder_deliveries_sent_as_check CHECK (sent_as IN ('ticket', 'waitlist', 'skipped'))
);
CREATE INDEX reminder_deliveries_reminder_idx ON reminder_deliveries (reminder_id);

-- Events that exist already get the default reminders; those still ahead are scheduled (the job the service
-- would have queued: kind, payload and dedupe key as in service/reminders/domain.py).
INSERT INTO event_reminders (event_id, before_seconds, created_at, updated_at)
SELECT e.id, b.seconds, now(), now()
  FROM events e CROSS JOIN (VALUES (7 * 86400), (86400)) AS b (seconds)
 WHERE e.status <> 'cancelled' AND e.starts_at > now();

INSERT INTO jobs (kind, payload, dedupe_key, run_after, max_attempts)
SELECT 'event.reminder',
       jsonb_build_object('reminder_id', r.id::text, 'revision', r.revision,
                          'due', extract(epoch FROM e.starts_at - make_interval(secs => r.before_seconds))::bigint),
       'event.reminder:' || r.id || ':' || r.revision || ':'
           || extract(epoch FROM e.starts_at - make_interval(secs => r.before_seconds))::bigint,
       e.starts_at - make_interval(secs => r.before_seconds), 10000
  FROM event_reminders r JOIN events e ON e.id = r.event_id
 WHERE e.starts_at - make_interval(secs => r.before_seconds) > now();
