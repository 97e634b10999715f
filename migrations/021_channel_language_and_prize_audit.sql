-- Slack and audit, completed: an event's channel has a language of its own for what Møteplass posts there
-- (bokmål unless the organisers choose nynorsk or English), and the audit entries of a prize (its calls, jury
-- and decisions, which need not belong to an event) are found by the prize they are about.

ALTER TABLE event_slack_channels ADD COLUMN language text NOT NULL DEFAULT 'nb';
ALTER TABLE event_slack_channels ADD CONSTRAINT event_slack_channels_language_check
    CHECK (language IN ('nb', 'nn', 'en'));

CREATE INDEX audit_log_prize_idx ON audit_log (((data ->> 'prize_id')::uuid), at DESC)
    WHERE data ? 'prize_id';
