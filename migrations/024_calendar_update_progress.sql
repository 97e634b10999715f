-- A calendar update's progress is counted from its sync jobs, found by the update they belong to.
CREATE INDEX jobs_calendar_update_idx ON jobs ((payload ->> 'update')) WHERE kind = 'calendar.sync';
