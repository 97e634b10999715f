-- An event's channel also hears of new prize nominations for calls awarded at the event: the highest
-- nomination number already reported.
ALTER TABLE event_slack_channels ADD COLUMN seen_nomination bigint NOT NULL DEFAULT 0;
