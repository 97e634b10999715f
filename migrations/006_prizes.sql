-- The research and innovation prize: prizes, yearly calls with weighted criteria and a jury, public
-- nominations (grouped by nominee, never rejected as duplicates), conflicts of interest and scores.

CREATE TABLE prizes (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text NOT NULL,
    name         jsonb NOT NULL,
    description  jsonb NOT NULL DEFAULT '{}',
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prizes_slug_key UNIQUE (slug),
    CONSTRAINT prizes_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    CONSTRAINT prizes_name_check CHECK (jsonb_typeof(name) = 'object' AND name ? 'nb')
);

-- Organisers who may run a prize (its creator at first); admins may run every prize.
CREATE TABLE prize_organisers (
    prize_id  uuid NOT NULL REFERENCES prizes (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (prize_id, user_id)
);

-- One call per prize and year: the nomination window, when scoring is due and locked, the conference at
-- which the prize is awarded, and whether nominees are told they were nominated.
CREATE TABLE prize_calls (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    prize_id           uuid NOT NULL REFERENCES prizes (id) ON DELETE CASCADE,
    year               integer NOT NULL,
    event_id           uuid REFERENCES events (id) ON DELETE SET NULL,
    opens_at           timestamptz NOT NULL,
    closes_at          timestamptz NOT NULL,
    scoring_closes_at  timestamptz NOT NULL,
    notify_nominees    boolean NOT NULL DEFAULT false,
    scoring_locked_at  timestamptz,
    published_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prize_calls_year_key UNIQUE (prize_id, year),
    CONSTRAINT prize_calls_year_check CHECK (year BETWEEN 2000 AND 2200),
    CONSTRAINT prize_calls_window_check CHECK (closes_at > opens_at),
    CONSTRAINT prize_calls_scoring_check CHECK (scoring_closes_at >= closes_at)
);
CREATE INDEX prize_calls_prize_idx ON prize_calls (prize_id, opens_at);

CREATE TABLE prize_criteria (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    call_id      uuid NOT NULL REFERENCES prize_calls (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    name         jsonb NOT NULL,
    description  jsonb NOT NULL DEFAULT '{}',
    weight       numeric(6, 2) NOT NULL,
    CONSTRAINT prize_criteria_position_key UNIQUE (call_id, position),
    CONSTRAINT prize_criteria_weight_check CHECK (weight > 0),
    CONSTRAINT prize_criteria_name_check CHECK (jsonb_typeof(name) = 'object' AND name ? 'nb')
);

-- The jury of a call: users with the `jury` role, scoped to this prize for this year. A juror of another
-- prize (or of another year's call) has no row here and is refused.
CREATE TABLE prize_jurors (
    call_id  uuid NOT NULL REFERENCES prize_calls (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX prize_jurors_user_idx ON prize_jurors (user_id);

-- A nomination. `nominee_key` (normalised name and organisation) groups nominations of the same nominee.
-- The nominator's manage link carries a random secret; only its SHA-256 is stored.
CREATE TABLE nominations (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number                bigint GENERATED ALWAYS AS IDENTITY,
    call_id               uuid NOT NULL REFERENCES prize_calls (id) ON DELETE CASCADE,
    status                text NOT NULL DEFAULT 'submitted',
    nominee_kind          text NOT NULL,
    nominee_name          text NOT NULL,
    nominee_organisation  text NOT NULL DEFAULT '',
    nominee_email         text NOT NULL DEFAULT '',
    nominee_key           text NOT NULL,
    title                 text NOT NULL,
    justification         text NOT NULL,
    links                 jsonb NOT NULL DEFAULT '[]',
    nominator_name        text NOT NULL,
    nominator_email       text NOT NULL,
    nominator_relation    text NOT NULL DEFAULT '',
    language              text NOT NULL DEFAULT 'nb',
    secret_hash           bytea NOT NULL,
    decision_reason       text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    withdrawn_at          timestamptz,
    CONSTRAINT nominations_secret_hash_key UNIQUE (secret_hash),
    CONSTRAINT nominations_status_check CHECK (
        status IN ('submitted', 'withdrawn', 'shortlisted', 'rejected', 'winner')),
    CONSTRAINT nominations_kind_check CHECK (nominee_kind IN ('person', 'group', 'project')),
    CONSTRAINT nominations_language_check CHECK (language IN ('nb', 'nn', 'en')),
    CONSTRAINT nominations_withdrawn_check CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
CREATE INDEX nominations_call_idx ON nominations (call_id, nominee_key, number);
CREATE UNIQUE INDEX nominations_one_winner_key ON nominations (call_id) WHERE status = 'winner';

-- A juror's declared conflict of interest with one nomination: they may neither score it nor see its scores.
CREATE TABLE nomination_conflicts (
    nomination_id  uuid NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason         text NOT NULL DEFAULT '',
    declared_at    timestamptz NOT NULL,
    PRIMARY KEY (nomination_id, user_id)
);

-- One score per juror, nomination and criterion; a juror submits a whole sheet (every criterion) at once.
CREATE TABLE nomination_scores (
    nomination_id  uuid NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    criterion_id   uuid NOT NULL REFERENCES prize_criteria (id) ON DELETE CASCADE,
    score          smallint NOT NULL,
    comment        text NOT NULL DEFAULT '',
    scored_at      timestamptz NOT NULL,
    PRIMARY KEY (nomination_id, user_id, criterion_id),
    CONSTRAINT nomination_scores_score_check CHECK (score BETWEEN 1 AND 5)
);
CREATE INDEX nomination_scores_user_idx ON nomination_scores (user_id, nomination_id);

-- What happened to a nomination (submitted, withdrawn, shortlisted, rejected, winner, published).
CREATE TABLE nomination_history (
    id             bigserial PRIMARY KEY,
    nomination_id  uuid NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL,
    actor          text NOT NULL,
    action         text NOT NULL,
    data           jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX nomination_history_nomination_idx ON nomination_history (nomination_id, at);
