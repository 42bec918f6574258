"""Trends on the environment page: monthly means, Theil-Sen slope, Mann-Kendall test.

Per station and parameter, with the months left out for completeness, in the page's language.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from gis.messages import Message, msg
from layers.stations import station_ref
from planning.pipeline.trends import station_trend
from webmap.db import get_conn
from webmap.errors import BadParameter
from webmap.i18n import current_lang
from webmap.messages import localize

__all__ = ["bp"]

bp = Blueprint("env_trends", __name__)


@bp.get("/api/stations/<int:station_id>/trend")
def trend(station_id: int):
    """Monthly means of ``?parameter=`` at the station and their trend, said in words."""
    parameter = request.args.get("parameter", "PM2.5")
    if not parameter or len(parameter) > 20:
        raise BadParameter(msg("param.parameter_too_long"))
    ref = station_ref(get_conn(), min(station_id, 2**31 - 1))
    found = station_trend(get_conn(), ref, parameter, tz=current_app.config["LANGNGHE"].timezone)
    found["left_out"] = [_month_shown(m) for m in found["left_out"]]
    return jsonify(localize(found, current_lang()))


def _month_shown(message: Message) -> Message:
    """A left-out month's message with its month as the page writes it ("2019-01": "01/2019")."""
    month = str(message.params.get("month", ""))
    year, _, number = month.partition("-")
    if not (year.isdigit() and number.isdigit()):
        return message
    return Message(message.code, {**message.params, "month": f"{number}/{year}"})
