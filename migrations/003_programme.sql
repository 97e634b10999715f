-- The programme: sessions of an event, attendees' choices among them, and the calendar invites we sent.

CREATE TABLE sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    title       jsonb NOT NULL,
    abstract    jsonb NOT NULL DEFAULT '{}',
    room        text NOT NULL DEFAULT '',
    track       text NOT NULL DEFAULT '',
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    speakers    jsonb NOT NULL DEFAULT '[]',
    capacity    integer,
    status      text NOT NULL DEFAULT 'scheduled',
    -- Revision of the session as the public feed shows it: +1 on every change a calendar must follow.
    sequence    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_kind_check CHECK (kind IN ('plenary', 'parallel', 'break', 'social')),
    CONSTRAINT sessions_status_check CHECK (status IN ('scheduled', 'cancelled')),
    CONSTRAINT sessions_title_check CHECK (jsonb_typeof(title) = 'object' AND title ? 'nb'),
    CONSTRAINT sessions_time_check CHECK (ends_at > starts_at),
    CONSTRAINT sessions_capacity_check CHECK (capacity IS NULL OR capacity >= 0),
    CONSTRAINT sessions_speakers_check CHECK (jsonb_typeof(speakers) = 'array')
);
CREATE INDEX sessions_event_idx ON sessions (event_id, starts_at);

-- The public feed's revision of the event itself (sessions carry their own).
ALTER TABLE events ADD COLUMN calendar_sequence integer NOT NULL DEFAULT 0;

-- An attendee's choice of a session. A session with a capacity confirms choices up to it and keeps the
-- rest waiting in queue order; choosing locks the session row (one lock per scarce resource).
CREATE SEQUENCE session_choices_queue_seq;
CREATE TABLE session_choices (
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    session_id       uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    status           text NOT NULL,
    queue_seq        bigint NOT NULL DEFAULT nextval('session_choices_queue_seq'),
    chosen_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT session_choices_pkey PRIMARY KEY (registration_id, session_id),
    CONSTRAINT session_choices_status_check CHECK (status IN ('confirmed', 'waitlisted'))
);
ALTER SEQUENCE session_choices_queue_seq OWNED BY session_choices.queue_seq;
CREATE INDEX session_choices_session_idx ON session_choices (session_id, status, queue_seq);

-- One row per calendar item an attendee has (the event, or one session), with the UID it was given once
-- and the SEQUENCE and content last sent, so a change sends REQUEST with SEQUENCE + 1 and a removal CANCEL.
CREATE TABLE calendar_invites (
    id               bigserial PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    session_id       uuid REFERENCES sessions (id) ON DELETE CASCADE,
    uid              text NOT NULL,
    sequence         integer NOT NULL DEFAULT 0,
    state            text NOT NULL DEFAULT 'new',
    sent             jsonb,
    sent_at          timestamptz,
    CONSTRAINT calendar_invites_uid_key UNIQUE (uid),
    CONSTRAINT calendar_invites_item_key UNIQUE NULLS NOT DISTINCT (registration_id, session_id),
    CONSTRAINT calendar_invites_state_check CHECK (state IN ('new', 'sent', 'cancelled'))
);
