"""Errors the user caused; their message is shown to them as is."""
from __future__ import annotations

from bot.i18n import _
from bot.mrkdwn import Markup, code, escape_tokens


class UserError(Exception):
    """Bad input: the message says what was wrong and shows the right form."""

    def __init__(self, message: str, example: str | None = None):
        super().__init__(message)
        self.message = message
        self.example = example

    @property
    def text(self) -> Markup:
        """The message as mrkdwn: a Markup message as written; a plain one shown only to the person who caused
        it, so its own code spans are kept and only `&`, `<`, `>` are escaped."""
        message = self.message if isinstance(self.message, Markup) else escape_tokens(self.message)
        return message + Markup("\n") + _("For example: {example}", example=code(self.example)) if self.example \
            else message

    def __str__(self) -> str:
        if self.example:
            return f"{self.message}\nFor example: `{self.example}`"
        return self.message


class NotAllowed(UserError):
    """The person asking may not do this."""
