-- Free seats are found from a random spot instead of from the event's first seat.
--
-- Taking a seat updates its row, so the old entry stays in the index of free seats until VACUUM removes it.
-- A search that always starts at the event's first seat walks every seat taken since the last VACUUM: on a
-- popular event that grew with every registration (thousands of entries a claim). Each seat gets a random
-- spot, and a claim starts at a random spot and wraps around: it walks on average 1 / (share of seats free)
-- entries, and concurrent claims start at different places instead of queueing behind the same locked rows.
-- The index on (event_id, spot) is also the only one that gives that order, so no plan walks the primary key.
ALTER TABLE event_seats ADD COLUMN spot double precision NOT NULL DEFAULT random();
DROP INDEX event_seats_free_idx;
CREATE INDEX event_seats_free_idx ON event_seats (event_id, spot) WHERE registration_id IS NULL;
-- "Is any seat free?" walks the event's dead entries when none is: let VACUUM come after a thousand changes
-- rather than after a fifth of the table.
ALTER TABLE event_seats SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 1000);

-- (event_id, lower(name)) is the prefix of registrations_event_name_queue_idx, which serves every query it did:
-- one index fewer to write on every registration.
DROP INDEX registrations_event_name_idx;
