"""Messages for people, kept as data until the edge.

Below ``webmap/`` nothing builds a sentence for a user. A function that has something to
tell returns (or raises) a :class:`Message`: a code and its named parameters. The web and
the command line render it in the user's language from the gettext catalogues
(``webmap.messages.render``).

Parameters may be numbers, strings, dates, other messages (rendered in turn) or lists of
those. A word of our vocabulary that must be translated (a cluster kind, say) is passed
as a ``Message`` with no parameters, e.g. ``Message("kind.craft_village")``.

Examples
--------
>>> m = Message("decree32.area_range", {"area_ha": 3.5, "min_ha": 10, "max_ha": 75})
>>> m.code
'decree32.area_range'
>>> m.as_dict()["params"]["area_ha"]
3.5
>>> Message.from_dict(m.as_dict()) == m
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Message", "MessageError", "msg"]


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class Message:
    """A code (``family.meaning``, lower case, dots and underscores) and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", {k: _freeze(v) for k, v in dict(self.params).items()})

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))

    def __str__(self) -> str:
        """A neutral, untranslated form for logs and exception chains (never shown to users)."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({args})"

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form: ``{"code": ..., "params": {...}}``."""
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """Rebuild a message stored with :meth:`as_dict` (a job's error, a saved result)."""
        return cls(str(data["code"]), {k: _unplain(v) for k, v in dict(data["params"]).items()})

    def walk(self) -> Iterable[Message]:
        """Yield this message and every message among its parameters."""
        yield self
        for value in self.params.values():
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, Message):
                    yield from item.walk()


def msg(code: str, **params: Any) -> Message:
    """Shorthand: ``msg("import.row_rejected", row=3, field="lon")``."""
    return Message(code, params)


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$message": value.as_dict()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_unplain(v) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$message":
            return Message.from_dict(inner)
        if key == "$datetime":
            return dt.datetime.fromisoformat(inner)
        if key == "$date":
            return dt.date.fromisoformat(inner)
    return value


class MessageError(Exception):
    """Mixin for domain errors that carry a :class:`Message` for the user.

    ``str(error)`` stays the neutral code form, so logs and tracebacks keep working.
    """

    def __init__(self, message: Message | str, /, **params: Any) -> None:
        self.message = message if isinstance(message, Message) else Message(message, params)
        super().__init__(str(self.message))
