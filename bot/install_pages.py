"""The install flow's pages: plain, accessible HTML with nothing loaded from elsewhere."""
from __future__ import annotations

from html import escape

STYLE = ("body{font:1.0625rem/1.5 system-ui,sans-serif;color:#1d1d1d;background:#fff;margin:0}"
         "main{max-width:36rem;margin:3rem auto;padding:0 1.25rem}h1{font-size:1.6rem;line-height:1.25}"
         "a.button{display:inline-block;padding:.7rem 1.2rem;border-radius:.4rem;background:#1d3557;color:#fff;"
         "font-weight:600;text-decoration:none}a.button:focus,a.button:hover{outline:3px solid #f4a261;"
         "outline-offset:2px}code{background:#f1f1f1;padding:.1rem .3rem;border-radius:.2rem}")

FAILURES = {
    "access_denied": "The installation was cancelled in Slack, so nothing was installed.",
    "invalid_state": "This installation link has expired or has already been used: each link works once, "
                     "for 10 minutes.",
    "invalid_browser": "This installation was started in another browser, or the link has expired.",
    "missing_code": "Slack did not confirm the installation.",
    "invalid_code": "Slack did not confirm the installation.",
    "storage_error": "The installation could not be saved.",
}


def page(title: str, body: str) -> str:
    """A whole page around `body` (already HTML)."""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head>\n<body><main>\n<h1>{escape(title)}</h1>\n{body}\n</main></body></html>\n")


def install_page(authorize_url: str, scopes: list[str]) -> str:
    """The "Add to Slack" button, pointing at Slack's consent page for this browser's fresh state."""
    listed = "".join(f"<li><code>{escape(scope)}</code></li>" for scope in scopes)
    return page("Add expect to Slack", (
        "<p>expect keeps your clients informed in their Slack Connect channels: weekly updates, early warnings "
        "when a date slips, and answers when they ask.</p>\n"
        f'<p><a class="button" id="add-to-slack" href="{escape(authorize_url)}">Add to Slack</a></p>\n'
        "<p>Slack will ask you to allow these permissions:</p>\n"
        f"<ul>{listed}</ul>\n"
        "<p>The button works once, for 10 minutes; reload this page for a new one.</p>"))


def success_page(workspace: str | None) -> str:
    """What to do next, once the installation is stored."""
    where = f" in {escape(workspace)}" if workspace else ""
    return page("expect is installed", (
        f"<p>expect is now installed{where}. Next, in Slack:</p>\n"
        "<ol><li>In a client's channel, type <code>/invite @expect</code>.</li>\n"
        "<li>Then register the project there: <code>/expect add-project \"Acme Website\" #acme-shared</code> "
        "(<code>/expect help</code> lists everything else).</li></ol>\n"
        "<p>You can close this page.</p>"))


def failure_page(reason: str) -> str:
    """Why nothing was installed, and a way to start again."""
    words = FAILURES.get(reason, "Slack could not complete the installation.")
    return page("expect was not installed", (
        f"<p>{escape(words)} Nothing was stored.</p>\n"
        '<p><a href="/slack/install">Start the installation again</a>.</p>'))
