-- Series are owned, and a series sign-up ties its registrations together (not an e-mail address).

-- A series of workshops: created by an organiser (or admin); only organisers scoped to it (and admins) may
-- attach dates to it. events.series keeps naming it by slug, now as a foreign key.
CREATE TABLE series (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT series_slug_key UNIQUE (slug),
    CONSTRAINT series_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80)
);

CREATE TABLE user_series_scopes (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    series_id  uuid NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, series_id)
);
CREATE INDEX user_series_scopes_series_idx ON user_series_scopes (series_id);

-- Existing series: one row per name in use, created by whoever created its first date.
INSERT INTO series (slug, created_by, created_at)
SELECT DISTINCT ON (e.series) e.series, e.created_by, e.created_at
  FROM events e
 WHERE e.series IS NOT NULL
 ORDER BY e.series, e.created_at, e.slug;

-- ...owned by the organisers who can act on one of its dates.
INSERT INTO user_series_scopes (user_id, series_id)
SELECT DISTINCT s.user_id, se.id
  FROM user_event_scopes s
  JOIN users u ON u.id = s.user_id AND u.role = 'organiser'
  JOIN events e ON e.id = s.event_id
  JOIN series se ON se.slug = e.series;

ALTER TABLE events ADD CONSTRAINT events_series_fkey FOREIGN KEY (series) REFERENCES series (slug);
CREATE INDEX events_series_idx ON events (series) WHERE series IS NOT NULL;

-- The registrations made by one series sign-up share its id: "cancel the series" and the manage page's list
-- of dates act on that sign-up only, never on other registrations that happen to share the address.
ALTER TABLE registrations ADD COLUMN signup_id uuid;
CREATE INDEX registrations_signup_idx ON registrations (signup_id) WHERE signup_id IS NOT NULL;

-- Existing series registrations: one sign-up wrote all its dates in one transaction with one timestamp, so
-- the same address, series and creation time identify it.
WITH signups AS MATERIALIZED (
    SELECT keys.series, keys.email_norm, keys.created_at, gen_random_uuid() AS signup_id
      FROM (SELECT DISTINCT e.series, x.email_norm, x.created_at
              FROM registrations x JOIN events e ON e.id = x.event_id
             WHERE e.series IS NOT NULL AND e.kind = 'workshop') keys
)
UPDATE registrations r
   SET signup_id = s.signup_id
  FROM signups s, events e
 WHERE e.id = r.event_id AND e.series = s.series AND r.email_norm = s.email_norm AND r.created_at = s.created_at;
