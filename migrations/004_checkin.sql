-- Door check-in: paired scanning devices, every scan they make, and the one admission per registration.

-- A door is a device paired for one event. It signs in as a user of role `door` (its own account, scoped to
-- that one event) whose bearer token is stored hashed in api_tokens, expires after the event and is revoked
-- with the door.
CREATE TABLE doors (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    paired_at   timestamptz,
    revoked_at  timestamptz,
    CONSTRAINT doors_user_id_key UNIQUE (user_id),
    CONSTRAINT doors_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 80)
);
CREATE INDEX doors_event_idx ON doors (event_id, created_at);

-- A door's account exists for the door only: it goes when the door goes (with its event), tokens and all.
CREATE FUNCTION doors_delete_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM users WHERE id = OLD.user_id AND role = 'door';
    RETURN OLD;
END;
$$;
CREATE TRIGGER doors_delete_account_trigger AFTER DELETE ON doors FOR EACH ROW EXECUTE FUNCTION doors_delete_account();
CREATE UNIQUE INDEX doors_event_name_key ON doors (event_id, lower(name)) WHERE revoked_at IS NULL;

-- Every scan, refused ones too. The nonce (chosen by the door) makes a retried request one scan.
-- registration_id is kept only for scans of this event's own tickets (never for `wrong_event`).
CREATE TABLE checkin_scans (
    id               bigserial PRIMARY KEY,
    door_id          uuid NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    registration_id  uuid REFERENCES registrations (id) ON DELETE SET NULL,
    nonce            text NOT NULL,
    result           text NOT NULL,
    scanned_at       timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    offline          boolean NOT NULL DEFAULT false,
    via              text NOT NULL DEFAULT 'code',
    CONSTRAINT checkin_scans_nonce_key UNIQUE (door_id, nonce),
    CONSTRAINT checkin_scans_nonce_check CHECK (length(nonce) BETWEEN 1 AND 64),
    CONSTRAINT checkin_scans_result_check CHECK (
        result IN ('admitted', 'already_checked_in', 'cancelled', 'waitlisted', 'wrong_event', 'not_registered',
                   'invalid')),
    CONSTRAINT checkin_scans_via_check CHECK (via IN ('code', 'search'))
);
CREATE INDEX checkin_scans_door_idx ON checkin_scans (door_id, id);
CREATE INDEX checkin_scans_registration_idx ON checkin_scans (registration_id) WHERE registration_id IS NOT NULL;

-- The admission: at most one per registration, so the database decides which scan was first. An offline scan
-- uploaded later with an earlier scan time takes the admission over; the other scan is then a duplicate.
-- event_id has no foreign key on purpose: every admission would take a KEY SHARE lock on the one event row,
-- and the registration's own cascade already removes admissions with their event.
CREATE TABLE checkin_admissions (
    registration_id  uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    door_id          uuid NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    scan_id          bigint NOT NULL,
    scanned_at       timestamptz NOT NULL,
    CONSTRAINT checkin_admissions_scan_fk FOREIGN KEY (scan_id) REFERENCES checkin_scans (id) ON DELETE CASCADE
);
CREATE INDEX checkin_admissions_event_idx ON checkin_admissions (event_id);
CREATE INDEX checkin_admissions_door_idx ON checkin_admissions (door_id);
CREATE INDEX checkin_admissions_scan_idx ON checkin_admissions (scan_id);

-- Per-door counters for rate limits (invalid codes, name searches), in fixed one-minute windows. Kept in the
-- database because several web processes serve one door.
CREATE TABLE door_limits (
    door_id       uuid NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    kind          text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL,
    PRIMARY KEY (door_id, kind),
    CONSTRAINT door_limits_kind_check CHECK (kind IN ('guess', 'search'))
);
