-- Work one person waits for goes before mail to many.
--
-- The queue was first in, first out: an announcement to 20,000 queued 20,000 mail jobs, and the confirmation of
-- someone who registered meanwhile, a Slack command's answer or the announcement's own report waited behind the
-- last of them (minutes). Fan-outs to many people (announcements, reminders, surveys, certificates, calendar
-- updates) now queue at a lower priority; within a priority the order is still first in, first out.
ALTER TABLE jobs ADD COLUMN priority smallint NOT NULL DEFAULT 0;
DROP INDEX jobs_ready_idx;
CREATE INDEX jobs_ready_idx ON jobs (priority, run_after, id) WHERE done_at IS NULL AND dead_at IS NULL;
