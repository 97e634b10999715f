-- Registrations, the seats that make capacity exact, custom questions.

-- One row per seat of an event. A confirmed registration holds exactly one seat; claiming a free seat
-- locks only that row (FOR UPDATE SKIP LOCKED), so concurrent registrations for one popular event do not
-- queue behind a single counter row, and the number of rows makes overselling impossible.
CREATE TABLE event_seats (
    id               bigserial PRIMARY KEY,
    event_id         uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id  uuid,
    CONSTRAINT event_seats_registration_id_key UNIQUE (registration_id)
);
CREATE INDEX event_seats_free_idx ON event_seats (event_id, id) WHERE registration_id IS NULL;

CREATE SEQUENCE registrations_queue_seq;

CREATE TABLE registrations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status          text NOT NULL,
    name            text NOT NULL,
    email           text NOT NULL,
    email_norm      text NOT NULL,
    organisation    text NOT NULL DEFAULT '',
    role            text,
    dietary         text NOT NULL DEFAULT '',
    accessibility   text NOT NULL DEFAULT '',
    language        text NOT NULL DEFAULT 'nb',
    answers         jsonb NOT NULL DEFAULT '{}',
    privacy_accepted_at timestamptz NOT NULL,
    queue_seq       bigint NOT NULL DEFAULT nextval('registrations_queue_seq'),
    link_version    integer NOT NULL DEFAULT 1,
    source          text NOT NULL DEFAULT 'web',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    cancelled_at    timestamptz,
    CONSTRAINT registrations_status_check CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    CONSTRAINT registrations_language_check CHECK (language IN ('nb', 'nn', 'en')),
    CONSTRAINT registrations_role_check CHECK (
        role IS NULL OR role IN ('municipal_employee', 'researcher', 'student', 'user_representative', 'other')),
    CONSTRAINT registrations_email_norm_check CHECK (email_norm = lower(email))
);
ALTER SEQUENCE registrations_queue_seq OWNED BY registrations.queue_seq;
CREATE UNIQUE INDEX registrations_event_email_key ON registrations (event_id, email_norm) WHERE status <> 'cancelled';
CREATE INDEX registrations_event_status_idx ON registrations (event_id, status, queue_seq);
CREATE INDEX registrations_event_name_idx ON registrations (event_id, lower(name));

ALTER TABLE event_seats ADD CONSTRAINT event_seats_registration_fk
    FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE SET NULL;

CREATE TABLE event_questions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    kind        text NOT NULL,
    label       jsonb NOT NULL,
    choices     jsonb NOT NULL DEFAULT '[]',
    required    boolean NOT NULL DEFAULT false,
    CONSTRAINT event_questions_kind_check CHECK (kind IN ('text', 'choice', 'yes_no')),
    CONSTRAINT event_questions_position_key UNIQUE (event_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- What happened to a registration, for the attendee's data export and the organiser's history.
CREATE TABLE registration_history (
    id               bigserial PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    at               timestamptz NOT NULL DEFAULT now(),
    actor            text NOT NULL,
    action           text NOT NULL,
    data             jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX registration_history_registration_idx ON registration_history (registration_id, at);

-- QR images of tickets, rendered once by the worker (encoding costs ~5 ms of CPU) and kept.
CREATE TABLE ticket_images (
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    link_version     integer NOT NULL,
    png              bytea NOT NULL,
    svg              text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, link_version)
);
