"""Errors the user caused; their message is shown to them as is."""


class UserError(Exception):
    """Bad input: the message says what was wrong and shows the right form."""

    def __init__(self, message: str, example: str | None = None):
        super().__init__(message)
        self.message = message
        self.example = example

    def __str__(self) -> str:
        if self.example:
            return f"{self.message}\nFor example: `{self.example}`"
        return self.message


class NotAllowed(UserError):
    """The person asking may not do this."""
