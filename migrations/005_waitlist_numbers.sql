-- A number per place in an event's waiting list, from a sequence of that event's own, so a registrant's
-- position is `number - people ahead who have left` (a small set) instead of a count over the whole list.
-- Sequences hold no row locks, so numbering does not serialise registrations for a popular event.

ALTER TABLE registrations ADD COLUMN waitlist_no bigint;
CREATE INDEX registrations_left_waitlist_idx ON registrations (event_id, waitlist_no)
    WHERE waitlist_no IS NOT NULL AND status <> 'waitlisted';

-- Numbers of erased registrations that had been on the list (no personal data: event and number only).
CREATE TABLE waitlist_erasures (
    event_id     uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    waitlist_no  bigint NOT NULL
);
CREATE INDEX waitlist_erasures_idx ON waitlist_erasures (event_id, waitlist_no);

CREATE FUNCTION waitlist_sequence(event uuid) RETURNS regclass LANGUAGE sql STABLE AS $$
    SELECT ('event_waitlist_' || replace(event::text, '-', ''))::regclass
$$;

CREATE FUNCTION events_waitlist_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('CREATE SEQUENCE %I', 'event_waitlist_' || replace(NEW.id::text, '-', ''));
        RETURN NEW;
    END IF;
    EXECUTE format('DROP SEQUENCE IF EXISTS %I', 'event_waitlist_' || replace(OLD.id::text, '-', ''));
    RETURN OLD;
END;
$$;
CREATE TRIGGER events_waitlist_sequence_trigger AFTER INSERT OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_waitlist_sequence();

DO $$
DECLARE
    event record;
BEGIN
    FOR event IN SELECT id FROM events LOOP
        EXECUTE format('CREATE SEQUENCE %I', 'event_waitlist_' || replace(event.id::text, '-', ''));
        EXECUTE format('SELECT setval(%L, greatest(1, (SELECT count(*) FROM registrations WHERE event_id = %L)))',
                       'event_waitlist_' || replace(event.id::text, '-', ''), event.id);
    END LOOP;
END;
$$;
