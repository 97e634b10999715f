-- People by hand and walk-ins (issue 18, items 2 and 3).

-- A person added by an organiser or let in at the door may have no e-mail address; the unique index on
-- (event_id, email_norm) already ignores NULLs. Address and its normal form are present or absent together.
ALTER TABLE registrations ALTER COLUMN email DROP NOT NULL;
ALTER TABLE registrations ALTER COLUMN email_norm DROP NOT NULL;
ALTER TABLE registrations ADD CONSTRAINT registrations_email_pair_check CHECK ((email IS NULL) = (email_norm IS NULL));

-- They did not accept the privacy notice themselves: NULL says so (the organiser registered them).
ALTER TABLE registrations ALTER COLUMN privacy_accepted_at DROP NOT NULL;

-- The organisers' note about the person: never shown on the attendee's pages, but part of their data export.
ALTER TABLE registrations ADD COLUMN note text NOT NULL DEFAULT '';
ALTER TABLE registrations ADD CONSTRAINT registrations_note_check CHECK (length(note) <= 2000);

-- How the registration came in: the public form (web), demo data, an organiser's hand (organiser, or public for a
-- paper form typed in by an organiser) or a door's walk-in form (door).
ALTER TABLE registrations ADD CONSTRAINT registrations_source_check
    CHECK (source IN ('web', 'demo', 'organiser', 'door', 'public'));

-- Whether the doors of an event may register and admit people on the spot.
ALTER TABLE events ADD COLUMN allow_walk_ins boolean NOT NULL DEFAULT false;

-- A walk-in's admission is logged as a scan made by the walk-in form.
ALTER TABLE checkin_scans DROP CONSTRAINT checkin_scans_via_check;
ALTER TABLE checkin_scans ADD CONSTRAINT checkin_scans_via_check CHECK (via IN ('code', 'search', 'walk_in'));
