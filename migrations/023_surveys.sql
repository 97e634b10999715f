-- Evaluation surveys after an event: the questions, which events share them, one invitation per checked-in
-- registration, and the answers, kept apart from the invitations so that no answer leads back to a person.

-- A survey goes out `send_after_seconds` after each of its events ends (two hours unless chosen otherwise).
-- `revision` counts the changes of that time, and names the job that sends it (as event_reminders.revision).
CREATE TABLE surveys (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    send_after_seconds  integer NOT NULL DEFAULT 7200,
    revision            integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT surveys_send_after_check CHECK (send_after_seconds BETWEEN 0 AND 30 * 86400)
);

-- The events a survey is asked about: one row per event; the dates of a series may point to one survey, so
-- their results can be compared side by side.
CREATE TABLE survey_events (
    event_id   uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    survey_id  uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE
);
CREATE INDEX survey_events_survey_idx ON survey_events (survey_id);

-- Question text and each choice are {nb, nn?, en?}; an answer names a choice by its place in the list (0, 1, …).
CREATE TABLE survey_questions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    survey_id  uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    kind       text NOT NULL,
    text       jsonb NOT NULL,
    choices    jsonb NOT NULL DEFAULT '[]',
    CONSTRAINT survey_questions_position_key UNIQUE (survey_id, position),
    CONSTRAINT survey_questions_position_check CHECK (position BETWEEN 0 AND 14),
    CONSTRAINT survey_questions_kind_check CHECK (kind IN ('rating', 'choice', 'choices', 'text')),
    CONSTRAINT survey_questions_text_check CHECK (jsonb_typeof(text) = 'object' AND length(text ->> 'nb') > 0),
    CONSTRAINT survey_questions_choices_check CHECK (
        jsonb_typeof(choices) = 'array'
        AND (kind IN ('choice', 'choices')) = (jsonb_array_length(choices) >= 2))
);

-- One invitation per registration that was checked in: claimed in the transaction that queues its mail, so
-- each person gets the survey once, and the reminder once (reminded_at), however often the jobs run. The link's
-- token is derived from SECRET_KEY and the registration (service/surveys/tokens.py); only its hash is here.
-- `answered` is a flag and not a time on purpose: a time could be matched with the order of the answers.
CREATE TABLE survey_invitations (
    registration_id  uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    survey_id        uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    token_hash       bytea NOT NULL,
    claimed_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    reminded_at      timestamptz,
    answered         boolean NOT NULL DEFAULT false,
    CONSTRAINT survey_invitations_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX survey_invitations_survey_idx ON survey_invitations (survey_id, event_id);

-- The answers: no registration, no invitation, no time and no serial number. The id is random (it orders
-- nothing), and `answers` is {question id: 1..5 | choice number | [choice numbers] | text}. Which event the person
-- came to is kept (a shared survey compares its dates), as results are shown only from five answers.
CREATE TABLE survey_responses (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    survey_id  uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    answers    jsonb NOT NULL,
    CONSTRAINT survey_responses_answers_check CHECK (jsonb_typeof(answers) = 'object')
);
CREATE INDEX survey_responses_survey_idx ON survey_responses (survey_id, event_id);
