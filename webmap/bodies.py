"""JSON request bodies of the analysis and write endpoints, as pydantic models.

A view reads its body with :func:`parse_body` and gets a validated model, or the
request is refused with a 400 that names the field (:class:`~webmap.errors.BadParameter`).
Query strings are parsed in :mod:`webmap.params`; GeoJSON features that an edit sends
are validated by the import pipeline of their layer (``layers.editing``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal, TypeVar

import pydantic
import shapely
from flask import request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from gis.messages import Message, msg
from webmap.errors import BadParameter
from webmap.jsontext import decode_json
from webmap.limits import Limits, check_raw_vertices, read_body
from webmap.params import MAX_VERTICES, MODES, parse_polygon

__all__ = [
    "AlertNoteBody",
    "AlertRuleBody",
    "AllocationBody",
    "CheckClusterBody",
    "FeatureBody",
    "SitingBody",
    "SurfaceBody",
    "ZoneSourcesBody",
    "ZoneSurfaceBody",
    "parse_body",
    "parse_feature_body",
    "validate_body",
]

Model = TypeVar("Model", bound=BaseModel)

#: Pydantic error types that mean "this is not a number".
_NUMBER_ERRORS = {
    "float_parsing",
    "float_type",
    "int_parsing",
    "int_type",
    "int_from_float",
    "finite_number",
}


def _text(default: str) -> BeforeValidator:
    """Any value as text (empty or null: ``default``), at most 200 characters."""
    return BeforeValidator(lambda value: str(value or default)[:200])


def _optional_text(value: Any) -> str | None:
    return str(value)[:200] if value else None


class _Body(BaseModel):
    """Unknown members are ignored, as the views always did."""

    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True)


def _refuse(code: str, **params: Any) -> BadParameter:
    return BadParameter(msg(code, **params))


def _bbox(value: Any) -> Any:
    """Four finite numbers, minlon < maxlon and minlat < maxlat within lon/lat ranges."""
    if not (isinstance(value, list | tuple) and len(value) == 4):
        raise _refuse("body.bbox_shape", field="bbox")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        bad = next(v for v in value if not isinstance(v, int | float) or isinstance(v, bool))
        raise _refuse("body.not_number", field="bbox", value=repr(bad)[:40])
    x0, y0, x1, y1 = value
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90):
        raise _refuse("body.bbox_range", field="bbox")
    return value


Bbox = Annotated[tuple[float, float, float, float], BeforeValidator(_bbox)]
#: Text of a body: at most 200 characters (NUL and lone surrogates are refused on decoding).
Name = Annotated[str, Field(max_length=200)]
#: A stored object's reference (a cluster's ``ref``).
Ref = Annotated[str, Field(min_length=1, max_length=100)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


#: Pairwise judgements on Saaty's scale: 1/9 to 9 (rounded reciprocals such as 0.11 too).
AHP_RANGE = (0.11, 9.0)


def _matrix(value: Any) -> Any:
    """A square list of lists of judgements within ``AHP_RANGE``, 2 to 15 rows."""
    if value is None:
        return None
    rows = value if isinstance(value, list) else None
    if not rows or not all(isinstance(r, list) and len(r) == len(rows) for r in rows):
        raise _refuse("body.ahp_square", field="ahp")
    if not 2 <= len(rows) <= 15:
        raise _refuse("body.ahp_size", field="ahp", n=len(rows), maximum=15)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            number = isinstance(v, int | float) and not isinstance(v, bool)
            if not (number and AHP_RANGE[0] <= v <= AHP_RANGE[1]):
                raise _refuse("body.ahp_value", field=f"ahp.{i}.{j}", value=repr(v)[:40])
    return value


class SitingBody(_Body):
    """``POST /api/siting``: a suitability run over a study area."""

    #: Required; a missing one is refused with the same words as a malformed one.
    bbox: Bbox = Field(default=None, validate_default=True)
    name: Annotated[str, _text("siting")] = "siting"
    cell_m: Finite = 30.0
    kind: Literal["general", "craft_village"] = "general"
    criteria: list[Annotated[str, Field(max_length=60)]] | None = Field(default=None, max_length=20)
    weights: dict[Annotated[str, Field(max_length=60)], Finite] | None = Field(
        default=None, max_length=20
    )
    ahp: Annotated[list[list[float]] | None, BeforeValidator(_matrix)] = None
    threshold: Finite | None = None
    #: The weights are relative (the page's fields): scaled to sum to one, the scaling shown.
    normalise: StrictBool = False

    @field_validator("criteria", mode="before")
    @classmethod
    def _criteria(cls, value: Any) -> Any:
        if value is not None and not (
            isinstance(value, list) and all(isinstance(c, str) for c in value)
        ):
            raise _refuse("body.names_list", field="criteria")
        return value

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, dict):
            raise _refuse("body.weights_object", field="weights")
        return value or None


def _limited(limit: int, field: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise _refuse("body.not_text", field=field)
        return None if value is None else value[:limit]

    return BeforeValidator(check)


class ScenarioChangeBody(_Body):
    """``PATCH /api/scenarios/<id>``: a new name, new notes, or both."""

    name: Annotated[str | None, _limited(200, "name")] = None
    notes: Annotated[str | None, _limited(4000, "notes")] = None


class AhpBody(_Body):
    """``POST /api/siting/ahp``: weights and consistency of a pairwise comparison matrix."""

    criteria: list[Annotated[str, Field(max_length=60)]] = Field(min_length=2, max_length=20)
    ahp: Annotated[list[list[float]], BeforeValidator(_matrix)]


class AllocationBody(_Body):
    """``POST /api/allocate``: relocation of polluting workshops to sites."""

    name: Annotated[str, _text("allocation")] = "allocation"
    model: Literal["p_median", "max_coverage"] = "p_median"
    p: Annotated[int, Field(ge=1, le=1000)] = 1
    sites_from: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    site_refs: tuple[Ref, ...] = Field(default=(), max_length=1000)
    max_commute_min: Annotated[float, Field(gt=0, le=24 * 60, allow_inf_nan=False)] | None = None
    capacity: StrictBool = True
    demand: Literal["households", "workers"] = "households"
    basis: Literal["decree08", "class_weights"] = "decree08"
    bbox: Bbox | None = None
    mode: Literal[MODES] = "motorbike"  # type: ignore[valid-type]
    # households (or workers) for a village without that count; None: such villages skipped
    default_demand: Annotated[float, Field(gt=0, lt=1e6, allow_inf_nan=False)] | None = None

    @field_validator("site_refs", mode="before")
    @classmethod
    def _site_refs(cls, value: Any) -> Any:
        if not value:
            return ()
        if not isinstance(value, list | tuple):
            raise _refuse("body.not_list", field="site_refs")
        return tuple(str(r) if isinstance(r, int | float | str) else r for r in value)

    @field_validator("bbox", mode="before")
    @classmethod
    def _no_bbox(cls, value: Any) -> Any:
        return value or None


def _strict_flag(name: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            raise _refuse("body.flag", field=name)
        return value

    return BeforeValidator(check)


Share = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class CheckClusterBody(_Body):
    """``POST /api/check-cluster``: Decree 32/2024 checks of a drawn polygon or a stored cluster."""

    geometry: Any = None
    ref: Ref | None = None
    kind: Literal["general", "craft_village"] | None = None
    mountainous: Annotated[StrictBool | None, _strict_flag("mountainous")] = None
    infrastructure_done: Annotated[StrictBool | None, _strict_flag("infrastructure_done")] = None
    expansion_of: Annotated[Ref | None, BeforeValidator(lambda v: v or None)] = None
    craft_land_share_pct: Share | None = None
    service_land_share_pct: Share | None = None
    green_strip_m: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] | None = None
    save_as: Annotated[str | None, BeforeValidator(_optional_text)] = Field(default=None)

    @field_validator("geometry", mode="before")
    @classmethod
    def _polygon(cls, value: Any, info: pydantic.ValidationInfo) -> shapely.Geometry | None:
        limit = (info.context or {}).get("max_vertices", MAX_VERTICES)
        return None if value is None else parse_polygon(json.dumps(value), max_vertices=limit)


class AlertRuleBody(_Body):
    """``POST /api/alert-rules`` (and ``PATCH``, where only the members sent change).

    A threshold rule has ``parameter`` and ``threshold`` (canonical unit); an index rule
    has ``aqi_at_least``; both have ``min_hours``. ``active`` false pauses a rule.
    """

    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    parameter: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    threshold: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] | None = None
    aqi_at_least: Annotated[int, Field(ge=0, le=500)] | None = None
    min_hours: Annotated[int, Field(ge=1, le=720)] | None = None
    station_ref: Annotated[str | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None, max_length=100
    )
    active: Annotated[StrictBool | None, _strict_flag("active")] = None

    def changes(self) -> dict[str, Any]:
        """The members the body sent (a PATCH changes only these)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class AlertNoteBody(_Body):
    """``POST /api/alerts/{id}/acknowledge`` and ``/close``: the officer's note."""

    note: Annotated[str | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None, max_length=2000
    )


class SurfaceBody(_Body):
    """``POST /api/surfaces``: a parameter's period mean interpolated onto a grid.

    The period is the local days ``since`` to ``until`` (inclusive; both or neither: without
    them, all its data); ``method`` and the cell size ``cell_m`` in metres.
    """

    parameter: Annotated[str, Field(min_length=1, max_length=20)] = "PM2.5"
    since: dt.date | None = None
    until: dt.date | None = None
    method: Literal["auto", "idw", "kriging"] = "auto"
    cell_m: Annotated[float, Field(ge=100, le=5000, allow_inf_nan=False)] = 500.0

    @model_validator(mode="after")
    def _period(self) -> SurfaceBody:
        if (self.since is None) != (self.until is None) or (
            self.since and self.until and self.since > self.until
        ):
            raise _refuse("body.since_until")
        if self.since and self.until and (self.until - self.since).days > 366:
            raise _refuse("param.period_too_long")
        return self


class ZoneSourcesBody(_Body):
    """``POST /api/zones/sources``: the date of the source zones to (re)make."""

    date: dt.date


class ZoneSurfaceBody(_Body):
    """``POST /api/zones/surface``: exceedance zones of a saved surface (its band)."""

    scenario_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    band: Literal["idw", "kriging"] | None = None


class FeatureBody(_Body):
    """A GeoJSON Feature that an edit sends (RFC 7946: WGS 84 lon/lat, no ``crs`` member).

    Only the Feature's shape is checked here; its geometry type, coordinates and
    properties are the layer's to check (``layers.editing``).
    """

    type: Literal["Feature"]
    geometry: Any = None
    properties: Annotated[dict[str, Any], BeforeValidator(lambda v: v or {})] = Field(
        default_factory=dict
    )

    @model_validator(mode="before")
    @classmethod
    def _feature(cls, value: Any) -> Any:
        if not isinstance(value, dict) or value.get("type") != "Feature":
            raise _refuse("body.not_feature")
        geometry = value.get("geometry")
        if "crs" in value or (isinstance(geometry, dict) and "crs" in geometry):
            raise _refuse("body.crs_member")
        if not isinstance(value.get("properties") or {}, dict):
            raise _refuse("body.not_object_member", field="properties")
        return value

    def document(self) -> dict[str, Any]:
        """The Feature as a plain dict, for ``layers.editing``."""
        return {"type": "Feature", "geometry": self.geometry, "properties": self.properties}


def _field(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"]) or "body"


#: Pydantic error type -> our message code (the member is named in ``field``).
_CODES = {
    **dict.fromkeys(_NUMBER_ERRORS, "body.not_number"),
    "missing": "body.missing",
    "string_type": "body.not_text",
    "bool_type": "body.not_bool",
    "bool_parsing": "body.not_bool",
    "list_type": "body.not_list",
    "tuple_type": "body.not_list",
    "dict_type": "body.not_object_member",
    "too_long": "body.too_many",
    "string_too_long": "body.too_long",
    "string_too_short": "body.empty",
}


def _shown(value: Any) -> str:
    """A member's value as the message shows it (``null`` for None, else Python's repr)."""
    return "null" if value is None else repr(value)[:40]


_LIMITS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}


def _message(error: Any) -> Message:
    """The first validation error as a message naming the member."""
    name = _field(error)
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _NUMBER_ERRORS:
        field = name.split(".")[0] if name.split(".")[-1].isdigit() else name
        if kind == "finite_number":
            return msg("body.not_finite_member", field=field)
        return msg("body.not_number", field=field, value=_shown(error["input"]))
    if kind == "literal_error":
        choices = [c.strip("'") for c in re.split(r", | or ", ctx.get("expected", ""))]
        return msg("body.not_choice", field=name, value=_shown(error["input"]), choices=choices)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return msg(f"body.{kind}", field=name, limit=ctx.get(_LIMITS[kind], ""))
    if kind in ("too_long", "string_too_long"):
        return msg(_CODES[kind], field=name, maximum=ctx.get("max_length", ""))
    return msg(_CODES.get(kind, "body.invalid_member"), field=name)


def validate_body(
    model: type[Model], document: Any, *, context: dict[str, Any] | None = None
) -> Model:
    """``document`` (decoded JSON) as a ``model``.

    Parameters
    ----------
    model : type
        One of the body models of this module.
    document : Any
        The decoded JSON body.
    context : dict, optional
        Handed to the model's validators (``max_vertices`` of a drawn polygon).

    Returns
    -------
    BaseModel
        The validated body.

    Raises
    ------
    BadParameter
        When the body is not an object or a member is missing or malformed; the message
        names the first bad member.

    Examples
    --------
    >>> validate_body(AllocationBody, {"p": "2"}).p
    2
    >>> validate_body(AllocationBody, {"site_refs": "CCN-1"})
    Traceback (most recent call last):
    ...
    webmap.errors.BadParameter: body.not_list(field='site_refs')
    """
    if not isinstance(document, dict):
        raise _refuse("body.not_object")
    try:
        return model.model_validate(document, context=context)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        cause = errors[0].get("ctx", {}).get("error") if errors else None
        if isinstance(cause, BadParameter):  # one of our validators refused a member
            raise cause from None
        raise BadParameter(_message(errors[0])) from None


def parse_body(model: type[Model], *, limits: Limits | None = None) -> Model:
    """The request's JSON body as a ``model`` (see :func:`decode_json`, :func:`validate_body`).

    With ``limits``, the body's bytes are bounded before it is read and the vertices of its
    ``geometry`` member counted before it is decoded in full (:mod:`webmap.limits`).
    """
    if not request.is_json:
        raise _refuse("body.not_object")
    if limits is None:
        return validate_body(model, decode_json(request.get_data(cache=False)))
    data = read_body(limits.body_bytes)
    check_raw_vertices(data, limits.vertices, member="geometry")
    context = {"max_vertices": limits.vertices}
    return validate_body(model, decode_json(data), context=context)


def parse_feature_body(
    *, max_bytes: int | None = None, max_vertices: int | None = None
) -> dict[str, Any]:
    """The request's body as one GeoJSON Feature, whatever its content type.

    With ``max_bytes``, a larger body is refused (413) before it is read; with
    ``max_vertices``, a geometry with more vertices is refused before the body is decoded
    in full (:mod:`webmap.limits`).

    Returns
    -------
    dict
        ``type``, ``geometry`` and ``properties``.

    Raises
    ------
    BadParameter
        When the body is not JSON (``NaN`` and ``Infinity`` included, see
        :func:`decode_json`) or not one Feature, or its geometry is too large.
    BodyTooLarge
        When the body is over ``max_bytes``.
    """
    if max_bytes is None:
        data = request.get_data(cache=False)
    else:
        data = read_body(max_bytes)
    if max_vertices is not None:
        check_raw_vertices(data, max_vertices)
    document = decode_json(data)
    if not isinstance(document, dict):
        raise _refuse("body.not_feature")
    return validate_body(FeatureBody, document).document()
