"""Settings from the environment (and `.env`), checked once at start-up."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from dotenv import find_dotenv, load_dotenv

from bot.i18n import SUPPORTED, normalise
from bot.secrets import is_key


class SettingsError(Exception):
    """A required setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str
    app_token: str | None = None
    api_url: str | None = None
    database_url: str = "sqlite:///expect.db"
    port: int = 3000
    workspace_rate: float = 5.0
    workspace_burst: int = 10
    channel_rate: float = 1.0
    channel_burst: int = 2
    settle_seconds: int = 60
    default_lang: str = "en"
    team_lang: str = "en"
    github_token: str | None = None
    github_api_url: str = "https://api.github.com"
    github_webhook_secret: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    encryption_keys: tuple[str, ...] = ()
    jira_base_url: str | None = None
    jira_email: str | None = None
    jira_api_token: str | None = None
    jira_webhook_secret: str | None = None
    jira_points_field: str = "customfield_10016"
    retention_days: int = 30
    linear_api_key: str | None = None
    linear_api_url: str = "https://api.linear.app/graphql"
    linear_webhook_secret: str | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def distribution(self) -> bool:
        """Installed through OAuth in any number of workspaces, rather than one workspace's SLACK_BOT_TOKEN."""
        return not self.bot_token

    @property
    def authorize_url(self) -> str:
        """Slack's consent page, next to its Web API (the fake Slack's, when SLACK_API_URL points there)."""
        return urljoin(self.api_url or "https://slack.com/api/", "../oauth/v2/authorize")


def _fail(name: str, problem: str) -> SettingsError:
    return SettingsError(f"{name} {problem} (see .env.example)")


def _refuse_placeholder(name: str, value: str) -> None:
    # .env.example's values all read "your-…"; copied unchanged they would fail only later, at Slack.
    if "your-" in value.lower():
        raise _fail(name, f"is still the placeholder {value!r}; paste the real value from your Slack app")


def load_settings(env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read and validate settings; raise SettingsError naming the first bad one."""
    if env is None:
        if dotenv:
            load_dotenv(find_dotenv(usecwd=True), override=False)
        env = dict(os.environ)
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    distribution = {} if token else _distribution(env)
    if token and any(env.get(name, "").strip() for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")):
        # Bolt would read the client credentials from the environment on its own and look tokens up elsewhere.
        raise SettingsError("SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: keep "
                            "SLACK_BOT_TOKEN for single-workspace mode, or remove it for distribution mode "
                            "(see .env.example)")
    if token and not token.startswith("xoxb-"):
        raise _fail("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb-")
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    for name, value in (("SLACK_BOT_TOKEN", token), ("SLACK_SIGNING_SECRET", secret), ("SLACK_APP_TOKEN", app_token)):
        _refuse_placeholder(name, value or "")
    if distribution and app_token:
        raise _fail("SLACK_APP_TOKEN", "is for single-workspace mode: distribution mode answers Slack over HTTP")
    if not secret and not app_token:
        raise _fail("SLACK_SIGNING_SECRET", "is not set")
    if app_token and not app_token.startswith("xapp-"):
        raise _fail("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-")
    api_url = env.get("SLACK_API_URL", "").strip() or None
    if api_url:
        if not api_url.startswith(("http://", "https://")):
            raise _fail("SLACK_API_URL", "must be an http(s) URL such as http://127.0.0.1:8080/api/")
        if not api_url.endswith("/"):
            api_url += "/"
    database_url = _database_url(env)
    port_text = env.get("PORT", "").strip() or "3000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _fail("PORT", f"must be a port number, not {port_text!r}")
    pacing = _pacing(env)
    settle_text = env.get("DELIVERY_SETTLE_SECONDS", "").strip() or "60"
    if not settle_text.isdigit() or not 30 <= int(settle_text) <= 3600:
        raise _fail("DELIVERY_SETTLE_SECONDS", f"must be 30 to 3600 seconds, not {settle_text!r}")
    return Settings(
        bot_token=token or None,
        signing_secret=secret,
        app_token=app_token,
        api_url=api_url,
        database_url=database_url,
        port=int(port_text),
        **pacing,
        settle_seconds=int(settle_text),
        default_lang=_language(env, "EXPECT_DEFAULT_LANG"),
        team_lang=_language(env, "EXPECT_TEAM_LANG"),
        **_trackers(env),
        **distribution,
        retention_days=_retention_days(env),
    )


DISTRIBUTION = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET", "EXPECT_ENCRYPTION_KEY")


def _distribution(env: dict[str, str]) -> dict:
    values = {name: env.get(name, "").strip() for name in DISTRIBUTION}
    missing = [name for name, value in values.items() if not value]
    if set(missing) >= {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "EXPECT_ENCRYPTION_KEY"}:
        raise SettingsError("SLACK_BOT_TOKEN is not set (single-workspace mode); for distribution mode set "
                            f"{_listed(list(DISTRIBUTION))} instead (see .env.example)")
    if missing:
        raise SettingsError(f"distribution mode needs {_listed(missing)} as well "
                            "(or SLACK_BOT_TOKEN alone for single-workspace mode; see .env.example)")
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        _refuse_placeholder(name, values[name])
    return {"client_id": values["SLACK_CLIENT_ID"], "client_secret": values["SLACK_CLIENT_SECRET"],
            "encryption_keys": _keys(values["EXPECT_ENCRYPTION_KEY"])}


def _keys(text: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in text.split(",") if key.strip())
    if not keys or not all(is_key(key) for key in keys):
        raise _fail("EXPECT_ENCRYPTION_KEY", "must be one or more comma-separated keys made by `expect keys new`")
    return keys


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _retention_days(env: dict[str, str]) -> int:
    raw = env.get("EXPECT_RETENTION_DAYS", "").strip() or "30"
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise _fail("EXPECT_RETENTION_DAYS", f"must be a whole number of days from 1 to 3650, such as 30, not {raw!r}")
    return int(raw)


def _trackers(env: dict[str, str]) -> dict:
    github_url = (env.get("GITHUB_API_URL", "").strip() or "https://api.github.com").rstrip("/")
    if not github_url.startswith(("http://", "https://")):
        raise _fail("GITHUB_API_URL", "must be an http(s) URL such as https://api.github.com")
    linear_url = env.get("LINEAR_API_URL", "").strip() or "https://api.linear.app/graphql"
    if not linear_url.startswith(("http://", "https://")):
        raise _fail("LINEAR_API_URL", "must be an http(s) URL such as https://api.linear.app/graphql")
    return {"github_token": env.get("GITHUB_TOKEN", "").strip() or None, "github_api_url": github_url,
            "github_webhook_secret": env.get("GITHUB_WEBHOOK_SECRET", "").strip() or None, **_jira(env),
            "linear_api_key": env.get("LINEAR_API_KEY", "").strip() or None, "linear_api_url": linear_url,
            "linear_webhook_secret": env.get("LINEAR_WEBHOOK_SECRET", "").strip() or None}


def _jira(env: dict[str, str]) -> dict:
    base_url = env.get("JIRA_BASE_URL", "").strip().rstrip("/") or None
    if base_url and not base_url.startswith(("http://", "https://")):
        raise _fail("JIRA_BASE_URL", "must be your site's http(s) URL such as https://acme.atlassian.net")
    points = env.get("JIRA_STORY_POINTS_FIELD", "").strip() or "customfield_10016"
    if not re.fullmatch(r"customfield_\d{1,9}", points):
        raise _fail("JIRA_STORY_POINTS_FIELD", f"must be a custom field id such as customfield_10016, not {points!r}")
    return {"jira_base_url": base_url, "jira_email": env.get("JIRA_EMAIL", "").strip() or None,
            "jira_api_token": env.get("JIRA_API_TOKEN", "").strip() or None,
            "jira_webhook_secret": env.get("JIRA_WEBHOOK_SECRET", "").strip() or None, "jira_points_field": points}


TRACKER_SETTINGS = {  # kind -> the (env name, field) pairs its links need
    "github": (("GITHUB_TOKEN", "github_token"),),
    "jira": (("JIRA_BASE_URL", "jira_base_url"), ("JIRA_EMAIL", "jira_email"), ("JIRA_API_TOKEN", "jira_api_token")),
    "linear": (("LINEAR_API_KEY", "linear_api_key"),),
}


def missing_tracker_settings(settings: Settings, kind: str) -> list[str]:
    """The environment variables a link to `kind` needs and that are not set."""
    return [name for name, field in TRACKER_SETTINGS.get(kind, ()) if not getattr(settings, field, None)]


PACING = {  # env name -> (field, type); defaults follow Slack's limits for chat.postMessage
    "EXPECT_WORKSPACE_RATE": ("workspace_rate", float),
    "EXPECT_WORKSPACE_BURST": ("workspace_burst", int),
    "EXPECT_CHANNEL_RATE": ("channel_rate", float),
    "EXPECT_CHANNEL_BURST": ("channel_burst", int),
}


def _pacing(env: dict[str, str]) -> dict:
    values = {}
    for name, (field, kind) in PACING.items():
        raw = env.get(name, "").strip()
        if not raw:
            continue
        try:
            value = kind(raw)
        except ValueError:
            value = -1
        if value < 0:
            raise _fail(name, f"must be a {'whole ' if kind is int else ''}number of posts, 0 or more, not {raw!r}")
        values[field] = value
    return values


def _language(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip() or "en"
    language = normalise(value)
    if language is None:
        raise _fail(name, f"must be one of {', '.join(SUPPORTED)}, not {value!r}")
    return language


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _database_url(env: dict[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip() or "sqlite:///expect.db"
    url = normalise_database_url(url)
    if not url.startswith(("sqlite://", "postgresql+psycopg://")):
        scheme = url.split("://")[0] + "://…" if "://" in url else "a value that is not a URL"
        raise _fail("DATABASE_URL", f"must be sqlite:///expect.db or postgresql://user:password@host/db, not {scheme}")
    return url


def encryption_keys_setting() -> tuple[str, ...]:
    """EXPECT_ENCRYPTION_KEY alone (from the environment or .env), for `expect keys rotate`."""
    load_dotenv(find_dotenv(usecwd=True), override=False)
    try:
        return _keys(os.environ.get("EXPECT_ENCRYPTION_KEY", ""))
    except SettingsError as error:
        raise SystemExit(f"expect: {error}") from None


def database_url_setting() -> str:
    """DATABASE_URL alone (from the environment or .env), for commands that need no Slack credentials."""
    load_dotenv(find_dotenv(usecwd=True), override=False)
    try:
        return _database_url(dict(os.environ))
    except SettingsError as error:
        raise SystemExit(f"expect: {error}") from None
