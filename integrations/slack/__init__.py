"""Slack: the Web API client (slack-sdk's AsyncWebClient with retry handlers), request signatures, Block Kit.

The domains call `SlackClient` and the builders in `blocks`; nothing else in Møteplass imports slack-sdk.
The app's manifest is manifest.yaml next to this file.
"""

from .client import PostedMessage, SlackApi, SlackClient, SlackError, retry_after_seconds
from .signing import RequestVerifier

__all__ = ["PostedMessage", "RequestVerifier", "SlackApi", "SlackClient", "SlackError", "retry_after_seconds"]
