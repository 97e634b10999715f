-- After the event: certificates of attendance. One row per registration whose certificate was queued for mailing,
-- so asking to mail every certificate again (a double press, or weeks later when finished jobs are purged) never
-- mails anyone twice. It goes with the registration.

CREATE TABLE certificate_mails (
    registration_id  uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    queued_at        timestamptz NOT NULL,
    queued_by        text NOT NULL
);

-- The mails sent to an attendee, kept as long as the registration (finished jobs are purged after a week): the
-- attendee's export and the console's person page list them. A mail job that finishes with a result naming its
-- `subject`, for a payload naming a `registration_id`, leaves one row here, written with the job's completion.
CREATE TABLE sent_mails (
    id               bigserial PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    job_id           bigint NOT NULL,
    kind             text NOT NULL,
    subject          text NOT NULL,
    sent_at          timestamptz NOT NULL,
    CONSTRAINT sent_mails_job_key UNIQUE (job_id)
);
CREATE INDEX sent_mails_registration_idx ON sent_mails (registration_id, sent_at);

CREATE FUNCTION jobs_record_sent_mail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.payload ->> 'registration_id' ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN
        INSERT INTO sent_mails (registration_id, job_id, kind, subject, sent_at)
        SELECT r.id, NEW.id, NEW.kind, NEW.result ->> 'subject', NEW.done_at
          FROM registrations r WHERE r.id = (NEW.payload ->> 'registration_id')::uuid
        ON CONFLICT (job_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_record_sent_mail_trigger AFTER UPDATE OF done_at ON jobs
    FOR EACH ROW
    WHEN (OLD.done_at IS NULL AND NEW.done_at IS NOT NULL AND NEW.result ? 'subject' AND NEW.payload ? 'registration_id')
    EXECUTE FUNCTION jobs_record_sent_mail();

-- The privacy notice's texts as the administrators wrote them, per language and part; a part not here shows the
-- standard text of the catalogs (service/privacy/notice.py), so it follows their changes until someone edits it.
CREATE TABLE privacy_notice_texts (
    language    text NOT NULL,
    part        text NOT NULL,
    body        text NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text NOT NULL,
    CONSTRAINT privacy_notice_texts_pkey PRIMARY KEY (language, part),
    CONSTRAINT privacy_notice_texts_language_check CHECK (language IN ('nb', 'nn', 'en')),
    CONSTRAINT privacy_notice_texts_part_check
        CHECK (part IN ('controller', 'contact', 'purposes', 'legal_basis', 'retention', 'sharing', 'rights')),
    CONSTRAINT privacy_notice_texts_body_check CHECK (length(btrim(body)) BETWEEN 1 AND 5000)
);
