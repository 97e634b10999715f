"""The Slack app: signed requests from Slack, slash commands, the announce modal, stats, channel notifications."""
