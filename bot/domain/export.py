"""A project's history as a file: CSV that opens cleanly in a spreadsheet, or JSON."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from bot.models.history import HistoryEvent

FIXED = ("occurred_at", "kind", "actor_id", "subject_id")
# A spreadsheet runs a cell that starts like this as a formula; a leading ' makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def neutral(value) -> str | int | float:
    """A cell a spreadsheet shows as it is: text starting with a formula character gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_records(events: list[HistoryEvent]) -> list[dict]:
    return [{"id": e.id, "occurred_at": iso(e.occurred_at), "kind": e.kind, "actor_id": e.actor_id,
             "subject_id": e.subject_id, "detail": e.detail} for e in events]


def to_csv(events: list[HistoryEvent]) -> bytes:
    """UTF-8 with a BOM (so spreadsheets read it as UTF-8), ISO dates, one event a row, one column per detail."""
    keys = sorted({key for event in events for key in event.detail})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*FIXED, *keys])
    for event in events:
        fixed = (iso(event.occurred_at), event.kind, event.actor_id, event.subject_id)
        writer.writerow([neutral(value) for value in (*fixed, *(event.detail.get(key) for key in keys))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(events: list[HistoryEvent]) -> bytes:
    return json.dumps(as_records(events), ensure_ascii=False, indent=1).encode("utf-8")
