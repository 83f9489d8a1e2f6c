"""Block Kit as Slack checks it: slack_sdk's own models and limits, applied to every nested object.

slack_sdk validates one object at a time and lets unknown fields through; Slack does neither, so this walks the
whole tree and answers in Slack's words (`[ERROR] … [json-pointer:/blocks/0/text]`).
"""
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block, ConfirmObject, Option, OptionGroup
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
PLAIN_TEXT_ONLY = {  # (object type, field) that Slack accepts only as plain_text
    ("header", "text"), ("button", "text"), ("input", "label"), ("input", "hint"), ("modal", "title"),
    ("modal", "submit"), ("modal", "close"),
}
# Fields Slack accepts that this slack_sdk version's models do not list.
EXTRA_FIELDS = {"section": {"expand"}, "modal": {"id", "team_id", "state", "hash", "app_id", "bot_id",
                                                 "root_view_id", "previous_view_id", "app_installed_team_id"},
                "home": {"id", "team_id", "state", "hash", "app_id", "bot_id", "root_view_id", "previous_view_id",
                         "app_installed_team_id"}}
# Objects whose slack_sdk model writes its own JSON and so lists no attributes.
OWN_JSON_FIELDS = {Option: {"text", "value", "description", "url"}, OptionGroup: {"label", "options"},
                   ConfirmObject: {"title", "text", "confirm", "deny", "style"}}


def message_block_errors(blocks) -> list[str]:
    """Slack's messages for what is wrong with a message's `blocks`; empty when Slack would take them."""
    if not isinstance(blocks, list):
        return ["[ERROR] must provide an array [json-pointer:/blocks]"]
    errors = [f"[ERROR] no more than {MESSAGE_BLOCKS} items allowed [json-pointer:/blocks]"] \
        if len(blocks) > MESSAGE_BLOCKS else []
    return errors + _blocks(blocks, "/blocks")


def view_errors(view) -> list[str]:
    """Slack's messages for what is wrong with a modal or Home tab `view`; empty when Slack would take it."""
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        return ["[ERROR] must be a modal or home view [json-pointer:/view/type]"]
    if not isinstance(view.get("blocks"), list):
        return ["[ERROR] must provide an array [json-pointer:/view/blocks]"]
    try:
        model = View(**view)
    except (TypeError, ValueError, KeyError) as error:
        return [f"[ERROR] {error} [json-pointer:/view]"]
    return _object(view, model, "/view")


def _blocks(blocks: list, where: str) -> list[str]:
    errors = []
    for index, raw in enumerate(blocks):
        at = f"{where}/{index}"
        if not isinstance(raw, dict):
            errors.append(f"[ERROR] must provide an object [json-pointer:{at}]")
            continue
        try:
            model = Block.parse(raw)
        except (TypeError, ValueError, KeyError) as error:
            errors.append(f"[ERROR] {error} [json-pointer:{at}]")
            continue
        errors += _object(raw, model, at)
    return errors


def _object(raw: dict, model, where: str) -> list[str]:
    kind = raw.get("type", "")
    if model is None:
        return [f"[ERROR] unsupported type `{kind}` [json-pointer:{where}/type]"]
    errors = []
    try:
        model.validate_json()
    except SlackObjectFormationError as error:
        errors.append(f"[ERROR] {error} [json-pointer:{where}]")
    known = set(model.attributes) | {"type"} | EXTRA_FIELDS.get(kind, set()) | OWN_JSON_FIELDS.get(type(model), set())
    for key, value in raw.items():
        at = f"{where}/{key}"
        if key not in known:
            errors.append(f"[ERROR] unknown field `{key}` [json-pointer:{at}]")
            continue
        if (kind, key) in PLAIN_TEXT_ONLY and isinstance(value, dict) and value.get("type") != "plain_text":
            errors.append(f"[ERROR] must be a plain_text text object [json-pointer:{at}/type]")
        child = getattr(model, key, None)
        if isinstance(value, dict) and isinstance(child, JsonObject):
            errors += _object(value, child, at)
        elif isinstance(value, list) and isinstance(child, (list, tuple)):
            if len(child) != len(value):
                errors.append(f"[ERROR] unsupported element type [json-pointer:{at}]")
            for index, (raw_item, item) in enumerate(zip(value, child)):
                if isinstance(raw_item, dict) and isinstance(item, JsonObject):
                    errors += _object(raw_item, item, f"{at}/{index}")
    return errors
