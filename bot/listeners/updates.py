"""updates: Slack listeners (filled in by that feature)."""


def register(app, services) -> None:
    pass
