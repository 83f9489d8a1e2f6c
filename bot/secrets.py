"""Secrets at rest: MultiFernet over EXPECT_ENCRYPTION_KEY's comma-separated keys (the first encrypts, all decrypt)."""
from __future__ import annotations

import logging
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def new_key() -> str:
    """A fresh key for EXPECT_ENCRYPTION_KEY."""
    return Fernet.generate_key().decode()


def is_key(text: str) -> bool:
    try:
        Fernet(text.encode())
    except ValueError:
        return False
    return True


class Sealer:
    """Encrypts text for the database and opens what any of the keys sealed."""

    def __init__(self, keys: tuple[str, ...] | list[str]):
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, sealed: str) -> str:
        """The plain text; InvalidSecret when none of the keys sealed it (or it was never sealed)."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise InvalidSecret("a stored secret opens with none of EXPECT_ENCRYPTION_KEY's keys") from None

    def reseal(self, sealed: str) -> str:
        """The same secret sealed with the first key."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise InvalidSecret("a stored secret opens with none of EXPECT_ENCRYPTION_KEY's keys") from None


class InvalidSecret(Exception):
    """Stored ciphertext that none of the configured keys opens."""


TOKEN = re.compile(r"\b(xox[a-z]|xapp)([.-])[\w.-]+")
WEBHOOK = re.compile(r"(hooks\.slack\.com/services/)[\w/]+")


def redacted(text: str) -> str:
    """`text` with every Slack token and webhook URL cut down to its kind."""
    return WEBHOOK.sub(r"\1…", TOKEN.sub(r"\1\2…", text))


def redact_tokens_in_logs() -> None:
    """From now on, every log record is written without Slack tokens (slack_sdk's debug lines carry whole
    responses, oauth.v2.access's included). Safe to call more than once."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts", False):
        return

    def make(*args, **kwargs):
        record = factory(*args, **kwargs)
        message = record.getMessage()
        clean = redacted(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return record

    make.redacts = True
    logging.setLogRecordFactory(make)
