"""Modal metadata we wrote ourselves: the button's channel and record, sealed so a submission cannot swap them.

A view submission carries no channel, so a modal opened from a button keeps that button's channel in its
private_metadata; the seal (an HMAC under the signing secret) lets the submission trust it as buttons trust theirs.
"""
from __future__ import annotations

import hashlib
import hmac
import json

from bot.domain.errors import UserError
from bot.services import Services

FORGED = "This form doesn't belong to a message in this channel. Nothing was changed."


def _signature(services: Services, text: str) -> str:
    key = (services.settings.signing_secret or services.settings.bot_token).encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def seal(services: Services, data: dict) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return f"{text}|{_signature(services, text)}"


def unseal(services: Services, metadata: str | None, *, needs: tuple[str, ...]) -> dict:
    """The data `seal` wrote, or a UserError when the metadata is not ours or lacks a field in `needs`."""
    text, _, signature = (metadata or "").rpartition("|")
    if not text or not hmac.compare_digest(signature, _signature(services, text)):
        raise UserError(FORGED)
    data = json.loads(text)
    if not isinstance(data, dict) or any(data.get(key) in (None, "") for key in needs):
        raise UserError(FORGED)
    return data
