"""Every Slack Web API call the product makes, with errors sorted by what to do about them."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.domain.errors import UserError
from bot.i18n import _
from bot.mrkdwn import code as code_span

PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive",
    "token_revoked", "missing_scope", "not_authed", "user_not_found", "cannot_dm_bot", "team_access_not_granted",
    "not_installed",
})
AUTH_ERRORS = frozenset({"invalid_auth", "account_inactive", "token_revoked", "not_authed", "team_access_not_granted",
                         "not_installed"})
USER_CACHE_SECONDS = 300
SLACK_HOOK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
# Slack shows a timeout after 3 s; the Web API calls one request makes share this much of it, leaving the rest
# for our own work and the network.
REQUEST_BUDGET = 2.0
LEAST_USEFUL_WAIT = 0.05

log = logging.getLogger(__name__)
# One thread serves one Slack request at a time, whichever workspace's gateway its calls go through.
_SERVING = threading.local()


class SlackError(Exception):
    """Slack answered with an error code."""

    def __init__(self, code: str, method: str):
        super().__init__(f"{method}: {code}")
        self.code = code
        self.method = method

    @property
    def permanent(self) -> bool:
        return self.code in PERMANENT_ERRORS

    @property
    def auth_broken(self) -> bool:
        """Slack no longer accepts the bot's token: only a reinstall or an admin fixes it."""
        return self.code in AUTH_ERRORS


class RateLimited(Exception):
    def __init__(self, retry_after: float):
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after


class OutcomeUnknown(Exception):
    """The request may or may not have reached Slack (connection error, timeout, 5xx)."""


@dataclass(frozen=True)
class ChannelInfo:
    id: str
    name: str
    is_member: bool
    is_archived: bool
    is_ext_shared: bool
    is_im: bool


@dataclass(frozen=True)
class UserInfo:
    id: str
    team_id: str
    name: str
    real_name: str
    first_name: str
    tz: str | None
    is_bot: bool
    is_guest: bool
    deleted: bool


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


class SlackGateway:
    """Reads retry on their own (safe to repeat); writes never retry blindly.

    Inside `serving_request()` Slack is waiting for our answer: calls share a short budget, never sleep on
    Retry-After, and message edits wait until the answer has gone.
    """

    def __init__(self, token: str | None, *, base_url: str | None = None, timeout: int = 10,
                 request_budget: float = REQUEST_BUDGET, identity: dict | None = None):
        """`identity`: what auth.test would say (team_id, user_id), when the caller already knows it."""
        self.token = token
        kwargs = {"token": token, "timeout": timeout}
        if base_url:
            kwargs["base_url"] = base_url
        self._request_kwargs = {**kwargs, "timeout": request_budget, "retry_handlers": []}
        self.request_budget = request_budget
        self._request = _SERVING
        self._after_answer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="after-answer")
        self._writer = WebClient(**kwargs, retry_handlers=[])
        self._reader = WebClient(**kwargs, retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ])
        self._users: dict[str, tuple[float, UserInfo]] = {}
        self._lock = threading.Lock()
        self._identity: dict | None = identity
        self._own_origin = _origin(base_url) if base_url else None
        self.pacer = None  # a bot.slack.pacing.Pacer: chat.update then waits its turn with the posts

    @property
    def bolt_client(self) -> WebClient:
        """For Bolt's own calls (its one auth.test), which happen inside a request: bounded, no retries."""
        return WebClient(**self._request_kwargs)

    @contextmanager
    def serving_request(self) -> Iterator[None]:
        """Scope one Slack request in this thread; deferred edits start when it ends."""
        state = self._request
        state.deadline, state.later = time.monotonic() + self.request_budget, []
        try:
            yield
        finally:
            later, state.deadline, state.later = state.later, None, None
            for work in later:
                self._after_answer.submit(_logged, work)

    def _remaining(self) -> float | None:
        deadline = getattr(self._request, "deadline", None)
        return None if deadline is None else deadline - time.monotonic()

    def _later(self, work: Callable[[], None]) -> bool:
        """Defer `work` until the current request has been answered; False outside a request."""
        if self._remaining() is None:
            return False
        self._request.later.append(work)
        return True

    def after_answer(self, work: Callable[[], None]) -> None:
        """Run `work` in the background once Slack has our answer; outside a request, run it now."""
        if not self._later(work):
            work()

    def close(self) -> None:
        """Let a call already on its way to Slack finish (it has a timeout); drop the ones not started."""
        self._after_answer.shutdown(wait=True, cancel_futures=True)

    def _call(self, client: WebClient, method: str, **args) -> dict:
        remaining = self._remaining()
        if remaining is not None:
            if remaining < LEAST_USEFUL_WAIT:
                raise OutcomeUnknown(f"{method}: no time left before Slack's deadline")
            client = WebClient(**{**self._request_kwargs, "timeout": remaining})
        try:
            return client.api_call(method, json=args) if method.startswith(("chat.", "views.")) \
                else client.api_call(method, params=args)
        except SlackApiError as error:
            status = error.response.status_code
            if status == 429:
                raise RateLimited(_retry_after(error.response.headers)) from error
            if status >= 500:
                raise OutcomeUnknown(f"{method}: HTTP {status}") from error
            raise SlackError(error.response.get("error", "unknown_error"), method) from error
        except (URLError, OSError, TimeoutError) as error:
            raise OutcomeUnknown(f"{method}: {error}") from error

    def identity(self) -> dict:
        """auth.test, once: the installing team and the bot's own ids."""
        if self._identity is None:
            self._identity = self._call(self._reader, "auth.test").data
        return self._identity

    def channel_info(self, channel_id: str) -> ChannelInfo:
        channel = self._call(self._reader, "conversations.info", channel=channel_id)["channel"]
        return ChannelInfo(
            id=channel["id"], name=channel.get("name", channel["id"]), is_member=bool(channel.get("is_member")),
            is_archived=bool(channel.get("is_archived")), is_ext_shared=bool(channel.get("is_ext_shared")),
            is_im=bool(channel.get("is_im")),
        )

    def user_info(self, user_id: str) -> UserInfo:
        now = time.monotonic()
        with self._lock:
            cached = self._users.get(user_id)
        if cached and now - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        user = self._call(self._reader, "users.info", user=user_id)["user"]
        profile = user.get("profile", {})
        info = UserInfo(
            id=user["id"], team_id=user.get("team_id", ""), name=user.get("name", ""),
            real_name=user.get("real_name") or profile.get("real_name") or user.get("name", ""),
            first_name=profile.get("first_name") or (user.get("real_name") or user.get("name", "")).split(" ")[0],
            tz=user.get("tz"), is_bot=bool(user.get("is_bot")),
            is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")), deleted=bool(user.get("deleted")),
        )
        with self._lock:
            self._users[user_id] = (now, info)
        return info

    def post(self, channel: str, *, text: str, blocks: list | None = None, thread_ts: str | None = None,
             metadata: dict | None = None) -> Posted:
        """chat.postMessage, once. OutcomeUnknown means it may have been posted."""
        args = {"channel": channel, "text": text, "unfurl_links": False, "unfurl_media": False}
        if blocks:
            args["blocks"] = blocks
        if thread_ts:
            args["thread_ts"] = thread_ts
        if metadata:
            args["metadata"] = metadata
        response = self._call(self._writer, "chat.postMessage", **args)
        return Posted(channel=response["channel"], ts=response["ts"])

    def update(self, channel: str, ts: str, *, text: str, blocks: list | None = None) -> None:
        """chat.update; inside a request it runs once the answer is out, and a failure is only logged.

        Paced with the posts; a 429 holds the workspace's posts too.
        """
        if self._later(lambda: self.update(channel, ts, text=text, blocks=blocks)):
            return
        team_id = self.identity()["team_id"] if self.pacer else ""
        if self.pacer:
            self.pacer.acquire(team_id, channel)
        try:
            self._call(self._reader, "chat.update", channel=channel, ts=ts, text=text, blocks=blocks or [])
        except RateLimited as limited:
            if self.pacer:
                self.pacer.rate_limited(team_id, limited.retry_after)
            raise

    def post_ephemeral(self, channel: str, user: str, *, text: str, blocks: list | None = None) -> None:
        self._call(self._reader, "chat.postEphemeral", channel=channel, user=user, text=text, blocks=blocks or [])

    def find_posted(self, channel: str, *, event_type: str, outbox_id: int, oldest: float,
                    thread_ts: str | None = None) -> str | None:
        """The ts of our message carrying this outbox id in its metadata, if Slack has it.

        Replies are not in the channel's history, so a reply is looked for in its thread.
        """
        cursor = None
        while True:
            args = {"channel": channel, "oldest": f"{oldest:.6f}", "limit": 200, "include_all_metadata": True}
            if cursor:
                args["cursor"] = cursor
            if thread_ts:
                args["ts"] = thread_ts
            method = "conversations.replies" if thread_ts else "conversations.history"
            page = self._call(self._reader, method, **args)
            for message in page.get("messages", []):
                meta = message.get("metadata") or {}
                if meta.get("event_type") == event_type and meta.get("event_payload", {}).get("outbox_id") == outbox_id:
                    return message["ts"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None

    def message_text(self, channel: str, ts: str) -> str | None:
        """The text of one top-level message as Slack stores it (escaped), or None when Slack has no such message."""
        found = self.message(channel, ts)
        return found.get("text") if found else None

    def message(self, channel: str, ts: str) -> dict | None:
        """One top-level message as conversations.history gives it (text, reactions...), or None when it is gone."""
        page = self._call(self._reader, "conversations.history", channel=channel, latest=ts, inclusive=True, limit=1)
        found = [m for m in page.get("messages", []) if m.get("ts") == ts]
        return found[0] if found else None

    def respond(self, response_url: str, **message) -> None:
        """Answer through an interaction's response_url (ephemeral by default, or replace_original=True)."""
        if not self.may_respond_to(response_url):
            raise SlackError("response_url_not_allowed", "response_url")
        remaining = self._remaining()
        timeout = 5 if remaining is None else max(LEAST_USEFUL_WAIT, min(5, remaining))
        WebhookClient(response_url, timeout=timeout).send(**message)

    def may_respond_to(self, url: str) -> bool:
        """Slack's own hooks host, or the configured fake Slack: never a URL of someone else's choosing."""
        origin = _origin(url)
        return (origin[0] == "https" and origin[1] in SLACK_HOOK_HOSTS and origin[2] is None) \
            or origin == self._own_origin

    def dm_channel(self, user_id: str) -> str:
        return self._call(self._reader, "conversations.open", users=user_id)["channel"]["id"]

    def pin(self, channel: str, ts: str) -> None:
        try:
            self._call(self._reader, "pins.add", channel=channel, timestamp=ts)
        except SlackError as error:
            if error.code != "already_pinned":
                raise

    def open_view(self, trigger_id: str, view: dict) -> None:
        """views.open; when Slack does not open it, ModalNotOpened says why in words the user can act on."""
        try:
            self._call(self._reader, "views.open", trigger_id=trigger_id, view=view)
        except SlackError as error:
            raise ModalNotOpened.because(error.code) from error
        except (RateLimited, OutcomeUnknown) as error:
            raise ModalNotOpened.because("slow") from error

    def upload_file(self, channel_id: str | None, filename: str, content: bytes, title: str,
                    alt_text: str | None = None) -> str:
        """files.uploadV2 (get an upload URL, send the bytes, complete it in `channel_id`); returns the file id.

        A user id as `channel_id` means their DM with the bot; None shares it nowhere (for an image block's
        `slack_file`). Never call it while Slack waits for an answer.
        """
        channel = self.dm_channel(channel_id) if channel_id and channel_id[:1] in ("U", "W") else channel_id
        try:
            done = self._writer.files_upload_v2(channel=channel, filename=filename, content=content, title=title,
                                                alt_txt=alt_text)
        except SlackApiError as error:
            status = error.response.status_code
            if status == 429:
                raise RateLimited(_retry_after(error.response.headers)) from error
            if status >= 500:
                raise OutcomeUnknown(f"files.uploadV2: HTTP {status}") from error
            raise SlackError(error.response.get("error", "unknown_error"), "files.uploadV2") from error
        except (URLError, OSError, TimeoutError) as error:
            raise OutcomeUnknown(f"files.uploadV2: {error}") from error
        return done["files"][0]["id"]

    def publish_home(self, user_id: str, view: dict) -> None:
        """views.publish; inside a request it runs once the answer is out, and a failure is only logged."""
        if not self._later(lambda: self.publish_home(user_id, view)):
            self._call(self._reader, "views.publish", user_id=user_id, view=view)


class ModalNotOpened(UserError):
    """Slack did not open a form; the message tells the user what happened and what to do."""

    @classmethod
    def because(cls, code: str) -> ModalNotOpened:
        if code == "slow":
            text = _("Slack was too slow to open the form just now. Nothing was changed; please try again in a moment.")
        elif code in ("expired_trigger_id", "exchanged_trigger_id"):
            text = _("Slack waited too long and the form could not open. Nothing was changed; please try again.")
        elif code in AUTH_ERRORS:
            text = _("I couldn't open the form: Slack no longer accepts expect's access ({code}). "
                     "Ask a workspace admin to reinstall expect.", code=code_span(code))
        else:
            text = _("I couldn't open the form: Slack refused it ({code}). Nothing was changed. "
                     "Please tell whoever runs expect, quoting that code.", code=code_span(code))
        error = cls(text)
        error.code = code
        return error


def _logged(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception as error:
        log.warning("follow-up Slack call failed: %s", error)


def _origin(url: str) -> tuple:
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname, parts.port
    except ValueError:
        return None, None, None


def _retry_after(headers: dict) -> float:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "1")
    if isinstance(value, list):
        value = value[0]
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0
