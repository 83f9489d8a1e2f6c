"""Signed Slack requests for the tests: the client lives in bot.devtools.signed."""
from bot.devtools.signed import (  # noqa: F401
    ALICE, BOB, CAROL, GUEST, HOME, INTERNAL, OTHER, PARTNER, SECRET, SHARED, Answer, SlackClient, sign,
)

__all__ = ["SECRET", "HOME", "PARTNER", "ALICE", "BOB", "CAROL", "GUEST", "SHARED", "INTERNAL", "OTHER", "sign",
           "Answer", "SlackClient"]
