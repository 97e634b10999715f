-- Workshops: perspective groups, participants' ranked perspectives, and their placement in groups.

CREATE TABLE workshop_groups (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id     uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    key          text NOT NULL,
    position     integer NOT NULL,
    name         jsonb NOT NULL,
    perspective  jsonb NOT NULL DEFAULT '{}',
    capacity     integer NOT NULL,
    CONSTRAINT workshop_groups_event_key_key UNIQUE (event_id, key),
    CONSTRAINT workshop_groups_id_event_key UNIQUE (id, event_id),
    CONSTRAINT workshop_groups_key_check CHECK (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(key) <= 40),
    CONSTRAINT workshop_groups_name_check CHECK (jsonb_typeof(name) = 'object' AND name ? 'nb'),
    CONSTRAINT workshop_groups_capacity_check CHECK (capacity BETWEEN 1 AND 10000)
);
CREATE INDEX workshop_groups_event_idx ON workshop_groups (event_id, position);

-- A participant's ranking: rank 1 is the perspective they would like most.
CREATE TABLE group_preferences (
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    rank             integer NOT NULL,
    group_id         uuid NOT NULL REFERENCES workshop_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (registration_id, rank),
    CONSTRAINT group_preferences_group_key UNIQUE (registration_id, group_id),
    CONSTRAINT group_preferences_rank_check CHECK (rank >= 1)
);
CREATE INDEX group_preferences_group_idx ON group_preferences (group_id);

-- Which group a participant is in; `choice` is the rank they gave that group (NULL: not one they ranked).
-- Only confirmed registrations count against a group's capacity.
CREATE TABLE group_placements (
    registration_id  uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    group_id         uuid NOT NULL,
    choice           integer,
    locked           boolean NOT NULL DEFAULT false,
    placed_by        text NOT NULL,
    placed_at        timestamptz NOT NULL,
    CONSTRAINT group_placements_group_fk FOREIGN KEY (group_id, event_id)
        REFERENCES workshop_groups (id, event_id) ON DELETE CASCADE,
    CONSTRAINT group_placements_placed_by_check CHECK (placed_by IN ('solver', 'organiser', 'late')),
    CONSTRAINT group_placements_choice_check CHECK (choice IS NULL OR choice >= 1)
);
CREATE INDEX group_placements_group_idx ON group_placements (group_id);
CREATE INDEX group_placements_event_idx ON group_placements (event_id);

-- One row per workshop once its groups have been assigned; published_at once participants were told.
CREATE TABLE group_rounds (
    event_id      uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    assigned_at   timestamptz NOT NULL,
    assigned_by   text NOT NULL,
    published_at  timestamptz,
    published_by  text
);

-- Whoever becomes a confirmed participant after the groups were assigned (a late registration, someone
-- promoted from the waiting list, by any code path) is put in the best group with room: their highest-ranked
-- perspective, then the group with fewest of their background, then the emptiest. Deferred to commit so that
-- the preferences written in the registering transaction are seen. Once published, they are told by mail.
CREATE FUNCTION group_place_late() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    round record;
    chosen record;
    person record;
BEGIN
    SELECT published_at INTO round FROM group_rounds WHERE event_id = NEW.event_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('workshop_groups:' || NEW.event_id::text, 0));
    SELECT id, status, role, confirmed_at INTO person FROM registrations WHERE id = NEW.id;
    IF NOT FOUND OR person.status <> 'confirmed'
       OR EXISTS (SELECT 1 FROM group_placements WHERE registration_id = NEW.id) THEN
        RETURN NULL;
    END IF;
    SELECT g.id, p.rank INTO chosen
      FROM workshop_groups g
      LEFT JOIN group_preferences p ON p.group_id = g.id AND p.registration_id = NEW.id
     CROSS JOIN LATERAL (
           SELECT count(*) AS members, count(*) FILTER (WHERE r.role IS NOT DISTINCT FROM person.role) AS alike
             FROM group_placements x JOIN registrations r ON r.id = x.registration_id AND r.status = 'confirmed'
            WHERE x.group_id = g.id) m
     WHERE g.event_id = NEW.event_id AND m.members < g.capacity
     ORDER BY p.rank NULLS LAST, m.alike, m.members::float8 / g.capacity, g.position
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;  -- every group is full: the organiser's group list shows them as not placed
    END IF;
    INSERT INTO group_placements (registration_id, event_id, group_id, choice, locked, placed_by, placed_at)
    VALUES (NEW.id, NEW.event_id, chosen.id, chosen.rank, false, 'late', coalesce(person.confirmed_at, now()));
    IF round.published_at IS NOT NULL THEN
        INSERT INTO jobs (kind, payload, dedupe_key)
        VALUES ('workshops.placement', jsonb_build_object('registration_id', NEW.id, 'group_id', chosen.id),
                'workshops.placement:' || NEW.id || ':' || chosen.id)
        ON CONFLICT (dedupe_key) DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER registrations_group_place_late
    AFTER INSERT OR UPDATE OF status ON registrations
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'confirmed')
    EXECUTE FUNCTION group_place_late();
