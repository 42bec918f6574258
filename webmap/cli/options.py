"""Options and parameter types that several ``langnghe`` commands share.

Commands only parse and delegate (as ``rasterio/rio/options.py`` does for ``rio``): the
shared travel mode, road network, language and dates are declared once here, and the
helpers turn text into the values that ``layers`` and ``planning`` take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from gis.progress import Progress
from gis.settings import get_settings

__all__ = [
    "FILE",
    "MODES",
    "LocalDate",
    "LocalDateTime",
    "cli_lang",
    "echo_lines",
    "encoding_option",
    "field_option",
    "lang_option",
    "mode_option",
    "network_option",
    "parse_bbox",
    "parse_point",
    "parse_units",
    "parse_weights",
    "progress_bar",
    "read_yaml",
    "say",
    "text",
    "today",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Travel modes of the road-network profiles.
MODES = ("motorbike", "car", "walk")

#: An existing file argument, as a :class:`~pathlib.Path`.
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def mode_option(function: F) -> F:
    """``--mode``: the travel mode (motorbike, car or walk; default motorbike)."""
    return click.option("--mode", type=click.Choice(MODES), default="motorbike", show_default=True)(
        function
    )


def network_option(function: F) -> F:
    """``--network``: the name of a stored road network (default ``default``)."""
    return click.option(
        "--network", default="default", show_default=True, help="Name of the road network."
    )(function)


def _fields(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        target, sep, source = value.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise click.BadParameter(text("import.field_format", value=value))
        out[target.strip()] = source.strip()
    return out


def field_option(function: F) -> F:
    """``--field TARGET=SOURCE`` (repeatable): read the source column as that field."""
    return click.option(
        "--field",
        "fields",
        multiple=True,
        metavar="TARGET=SOURCE",
        callback=_fields,
        help="Read column SOURCE as field TARGET (repeatable); wins over names and aliases.",
    )(function)


def encoding_option(function: F) -> F:
    """``--encoding``: the file's text encoding (default: stated by the file, else detected)."""
    return click.option(
        "--encoding",
        metavar="utf-8|cp1258|tcvn3|vni",
        default=None,
        help="Text encoding of a CSV or a Shapefile's DBF: utf-8, cp1258 (Windows-1258), "
        "tcvn3 (ABC) or vni. Default: the .cpg's, else detected from the Vietnamese words.",
    )(function)


def parse_units(values: tuple[str, ...] | list[str]) -> tuple[str | None, dict[str, str]]:
    """``--unit`` values as (the unit of every column, ``{column: unit}``).

    Raises
    ------
    click.BadParameter
        When two values give the unit of every column, or one is empty.
    """
    default: str | None = None
    per_column: dict[str, str] = {}
    for value in values:
        column, sep, unit = value.rpartition("=")
        if not unit.strip() or (sep and not column.strip()):
            raise click.BadParameter(text("import.unit_format", value=value))
        if sep:
            per_column[column.strip()] = unit.strip()
        elif default is not None:
            raise click.BadParameter(text("import.unit_format", value=value))
        else:
            default = unit.strip()
    return default, per_column


def lang_option(function: F) -> F:
    """``--lang``: the language that messages are written in (vi or en; LANGNGHE_LANG)."""
    return click.option(
        "--lang",
        type=click.Choice(["en", "vi"]),
        default=lambda: get_settings().lang,
        show_default="vi, or LANGNGHE_LANG",
        envvar="LANGNGHE_LANG",
        help="Language of the messages.",
    )(function)


def cli_lang() -> str:
    """The language chosen with ``langnghe --lang`` (else LANGNGHE_LANG, else Vietnamese)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, dict) and obj.get("lang"):
        return str(obj["lang"])
    return get_settings().lang


def echo_lines(messages: list[Any]) -> None:
    """Print a report given as messages: the first line as it is, the others indented."""
    from webmap.messages import as_text

    lang = cli_lang()
    for i, line in enumerate(messages):
        click.echo(("  " if i else "") + as_text(line, lang))


def text(code: str, **params: Any) -> str:
    """The message ``code`` with ``params`` as text in the chosen language (``--lang``)."""
    from gis.messages import Message
    from webmap.messages import render

    return render(Message(code, params), cli_lang())


_text = text


def say(code: str, *, err: bool = False, **params: Any) -> None:
    """Print the message ``code`` with ``params`` in the chosen language (``--lang``)."""
    click.echo(text(code, **params), err=err)


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def today() -> dt.date:
    """Today's date in the configured time zone (``LANGNGHE_TIMEZONE``)."""
    return dt.datetime.now(_zone()).date()


class LocalDate(click.ParamType):
    """A calendar date ``YYYY-MM-DD``, converted to :class:`datetime.date`."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse ``value``; a date passes through."""
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(text("cli.bad_date", value=str(value)), param, ctx)


class LocalDateTime(click.ParamType):
    """A day or instant in ISO 8601, in the configured time zone when it states none."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse ``value`` into an aware :class:`datetime.datetime`."""
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value))
            except ValueError:
                self.fail(text("cli.bad_date", value=str(value)), param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=_zone())


def parse_point(text: str) -> tuple[float, float]:
    """``lon,lat`` as two floats.

    Raises
    ------
    click.BadParameter
        When the text is not two comma-separated numbers.
    """
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise click.BadParameter(_text("cli.bad_point", value=text)) from None
    return lon, lat


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``minlon,minlat,maxlon,maxlat`` as four floats.

    Raises
    ------
    click.BadParameter
        When the text is not four comma-separated numbers.
    """
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise click.BadParameter(_text("cli.bad_bbox", value=text)) from None
    if len(values) != 4:
        raise click.BadParameter(_text("cli.bad_bbox", value=text))
    return values[0], values[1], values[2], values[3]


def parse_weights(text: str | None) -> dict[str, float] | None:
    """``name=weight,...`` as a mapping (None for no text).

    Raises
    ------
    click.BadParameter
        When a part is not ``name=number``.
    """
    if not text:
        return None
    out = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(_text("cli.bad_weight", value=part)) from None
    return out


def read_yaml(path: str | Path | None) -> Any:
    """The contents of a YAML file, or None for no path."""
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) if path else None


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A tqdm bar on standard error driven by ``progress(fraction, message)`` callbacks.

    The bar is hidden when standard error is not a terminal. A fraction lower than the
    last one starts the bar again (a command that runs several imports in turn).

    Parameters
    ----------
    label : str
        What the bar says before its percentage.

    Yields
    ------
    Progress
        The callback to hand to ``layers`` and ``planning`` functions.
    """
    from tqdm import tqdm

    with tqdm(
        total=100,
        desc=label,
        unit="%",
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
        disable=None,
    ) as bar:

        def progress(fraction: float, message: str) -> None:
            percent = max(0, min(100, round(fraction * 100)))
            if percent < bar.n:
                bar.reset(total=100)
            bar.update(percent - bar.n)
            bar.set_postfix_str(message)

        yield progress
