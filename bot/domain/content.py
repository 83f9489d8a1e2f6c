"""What a post says, as typed data: the domain fills these in, `bot.blocks.render` turns them into Block Kit.

Every content class is a frozen dataclass of plain values (snapshots of the rows it talks about, never the
rows), registered under its class name, so it can wait in the outbox as JSON (`dump`/`load`) and be rendered
at send time in the project's language. Text in these fields is as the user typed it; it is escaped on render.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from functools import cache

CONTENT_TYPES: dict[str, type] = {}
_T = typing.TypeVar("_T")


def content(cls: type[_T]) -> type[_T]:
    """Make `cls` a frozen dataclass and register it so a stored payload can name it."""
    cls = dataclasses.dataclass(frozen=True)(cls)
    CONTENT_TYPES[cls.__name__] = cls
    return cls


def dump(item) -> dict:
    """`item` as JSON-ready data, tagged with its type."""
    return {"type": type(item).__name__, **_encode(item)}


def load(data: dict):
    """The content `dump` produced."""
    cls = CONTENT_TYPES[data["type"]]
    return _decode(cls, {k: v for k, v in data.items() if k != "type"})


def _encode(value):
    if dataclasses.is_dataclass(value):
        return {name: _encode(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _fields(cls: type) -> tuple[tuple[str, object], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


@cache
def _shape(kind) -> tuple:
    """What decoding asks of a type hint, asked once per hint: every post decodes the same few."""
    return typing.get_origin(kind), typing.get_args(kind), dataclasses.is_dataclass(kind)


def _decode(kind, value):
    if value is None:
        return None
    origin, args, is_class = _shape(kind)
    if origin in (typing.Union, types.UnionType):
        shaped = [a for a in args if a is not type(None) and _shape(a)[2] == isinstance(value, dict)]
        return _decode(shaped[0], value) if shaped else value
    if is_class:
        return kind(**{name: _decode(hint, value.get(name)) for name, hint in _fields(kind) if name in value})
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if origin in (list, tuple):
        item = args[0] if args else typing.Any
        return origin(_decode(item, v) for v in value)
    if origin is dict:
        return {k: _decode(args[1], v) for k, v in value.items()}
    return value
