"""JSON request bodies of the analysis and write endpoints, as pydantic models.

A view reads its body with :func:`parse_body` and gets a validated model, or the
request is refused with a 400 that names the field (:class:`~webmap.errors.BadParameter`).
Query strings are parsed in :mod:`webmap.params`; GeoJSON features that an edit sends
are validated by the import pipeline of their layer (``layers.editing``).
"""

from __future__ import annotations

import json
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

from webmap.errors import BadParameter
from webmap.params import parse_polygon

__all__ = [
    "AllocationBody",
    "CheckClusterBody",
    "FeatureBody",
    "SitingBody",
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


def _bbox(value: Any) -> Any:
    if not (isinstance(value, list | tuple) and len(value) == 4):
        raise ValueError("bbox must be [minlon, minlat, maxlon, maxlat]")
    return value


Bbox = Annotated[tuple[float, float, float, float], BeforeValidator(_bbox)]


class SitingBody(_Body):
    """``POST /api/siting``: a suitability run over a study area."""

    #: Required; a missing one is refused with the same words as a malformed one.
    bbox: Bbox = Field(default=None, validate_default=True)
    name: Annotated[str, _text("siting")] = "siting"
    cell_m: float = 30.0
    kind: str = "general"
    criteria: list[str] | None = None
    weights: dict[str, float] | None = None
    ahp: Any = None
    threshold: float | None = None

    @field_validator("criteria", mode="before")
    @classmethod
    def _criteria(cls, value: Any) -> Any:
        if value is not None and not (
            isinstance(value, list) and all(isinstance(c, str) for c in value)
        ):
            raise ValueError("criteria must be a list of names")
        return value

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, dict):
            raise ValueError("weights must be an object name -> number")
        return value or None


class AllocationBody(_Body):
    """``POST /api/allocate``: relocation of polluting workshops to sites."""

    name: Annotated[str, _text("allocation")] = "allocation"
    model: str = "p_median"
    p: int = 1
    sites_from: int | None = None
    site_refs: tuple[str, ...] = ()
    max_commute_min: float | None = None
    capacity: bool = True
    demand: str = "households"
    basis: str = "decree08"
    bbox: Bbox | None = None
    mode: str = "motorbike"

    @field_validator("site_refs", mode="before")
    @classmethod
    def _site_refs(cls, value: Any) -> Any:
        if not value:
            return ()
        if not isinstance(value, list | tuple):
            raise ValueError("site_refs must be a list")
        return tuple(str(r) for r in value)

    @field_validator("bbox", mode="before")
    @classmethod
    def _no_bbox(cls, value: Any) -> Any:
        return value or None


def _strict_flag(name: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{name} must be true, false or null")
        return value

    return BeforeValidator(check)


class CheckClusterBody(_Body):
    """``POST /api/check-cluster``: Decree 32/2024 checks of a drawn polygon or a stored cluster."""

    geometry: Any = None
    ref: str | None = None
    kind: str | None = None
    mountainous: Annotated[StrictBool | None, _strict_flag("mountainous")] = None
    infrastructure_done: Annotated[StrictBool | None, _strict_flag("infrastructure_done")] = None
    expansion_of: Annotated[str | None, BeforeValidator(lambda v: v or None)] = None
    craft_land_share_pct: float | None = None
    service_land_share_pct: float | None = None
    save_as: Annotated[str | None, BeforeValidator(_optional_text)] = Field(default=None)

    @field_validator("geometry", mode="before")
    @classmethod
    def _polygon(cls, value: Any) -> shapely.Geometry | None:
        return None if value is None else parse_polygon(json.dumps(value))


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
            raise ValueError("the body must be one GeoJSON Feature")
        geometry = value.get("geometry")
        if "crs" in value or (isinstance(geometry, dict) and "crs" in geometry):
            raise ValueError(
                "a GeoJSON 'crs' member is not accepted: send WGS 84 lon/lat coordinates (RFC 7946)"
            )
        if not isinstance(value.get("properties") or {}, dict):
            raise ValueError("'properties' must be an object")
        return value

    def document(self) -> dict[str, Any]:
        """The Feature as a plain dict, for ``layers.editing``."""
        return {"type": "Feature", "geometry": self.geometry, "properties": self.properties}


def _not_a_number(name: str) -> float:
    raise BadParameter(f"{name} is not a number JSON allows: coordinates must be finite")


def _field(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"]) or "body"


def _message(error: Any) -> str:
    """The text of the first validation error, in the views' wording."""
    name = _field(error)
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    if error["type"] in _NUMBER_ERRORS:
        field = name.split(".")[0] if name.split(".")[-1].isdigit() else name
        return f"{field} must be a number, got {error['input']!r}"
    if error["type"] == "missing":
        return f"{name} is required"
    return f"{name}: {error['msg']}"


def validate_body(model: type[Model], document: Any) -> Model:
    """``document`` (decoded JSON) as a ``model``.

    Parameters
    ----------
    model : type
        One of the body models of this module.
    document : Any
        The decoded JSON body.

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
    webmap.errors.BadParameter: site_refs must be a list
    """
    if not isinstance(document, dict):
        raise BadParameter("the request body must be a JSON object")
    try:
        return model.model_validate(document)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        cause = errors[0].get("ctx", {}).get("error") if errors else None
        if isinstance(cause, BadParameter):  # a parser of webmap.params refused a member
            raise cause from None
        raise BadParameter(_message(errors[0])) from None


def parse_body(model: type[Model]) -> Model:
    """The request's JSON body as a ``model`` (see :func:`validate_body`)."""
    return validate_body(model, request.get_json(silent=True))


def parse_feature_body() -> dict[str, Any]:
    """The request's body as one GeoJSON Feature, whatever its content type.

    Returns
    -------
    dict
        ``type``, ``geometry`` and ``properties``.

    Raises
    ------
    BadParameter
        When the body is not JSON (``NaN`` and ``Infinity`` included) or not one Feature.
    """
    text = request.get_data(as_text=True)
    try:
        document = json.loads(text, parse_constant=_not_a_number)
    except json.JSONDecodeError as exc:
        raise BadParameter(
            f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(document, dict):
        raise BadParameter("the body must be one GeoJSON Feature")
    return validate_body(FeatureBody, document).document()
