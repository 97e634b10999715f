"""Next year's event: a draft copy of an event at a new start, with its programme, questions, workshop groups
and reminders (never its doors, registrations or Slack channel)."""
