"""Bad inputs for every write and analysis endpoint: the corpus of ``test_fuzz``.

Each case is a :class:`Case` (method, path, role, body and content type, a label). The bodies
are what a careless user or an attacker sends: wrong JSON types, NUL bytes and lone
surrogates, deeply nested JSON, numbers JSON does not allow (``NaN``, ``Infinity``), numbers
no column holds (``2**63``), over-long strings, malformed AHP matrices, ``p: null``, CSV files
with NUL, non-finite and over-long cells. None of them may get a 5xx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BAD_JSON_TEXTS",
    "BAD_VALUES",
    "PROPERTY_VALUES",
    "Case",
    "csv_cases",
    "feature_cases",
    "json_cases",
]

#: Values put in place of each member of a body, one at a time.
BAD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    0.5,
    -0.0,
    2**31,
    2**63,
    -(2**63) - 1,
    10**30,
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    " ",
    "x",
    "\x00",
    "a\x00b",
    "\ud800",
    "x" * 100_000,
    "'; DROP TABLE villages; --",
    [],
    [None],
    [1, 2, 3, 4],
    [[1]],
    ["\x00"],
    {},
    {"a": None},
    {"\x00": 1},
]

#: Values put in each property of a stored feature (wrong types, text no column can hold).
PROPERTY_VALUES: list[Any] = [
    None,
    True,
    -1,
    2**63,
    1e308,
    "",
    "\x00",
    "\ud800",
    "x" * 100_000,
    [None],
    {"a": None},
]

_DEEP = 100_000
#: Whole bodies that are not a usable JSON object.
BAD_JSON_TEXTS: list[str | bytes] = [
    "",
    " ",
    "null",
    "true",
    "0",
    '"x"',
    "[]",
    "[{}]",
    "{",
    '{"a": }',
    "NaN",
    '{"bbox": NaN}',
    '{"p": Infinity}',
    "\x00",
    '{"name": "\\u0000"}',
    '{"name": "\\ud800"}',
    '{"\\u0000": 1}',
    "[" * _DEEP + "]" * _DEEP,
    '{"a":' * _DEEP + "1" + "}" * _DEEP,
    "[" * 200 + "]" * 200,
    '{"name": ' + "[" * 500 + "]" * 500 + "}",
    b"\xff\xfe\x00{",
    b'{"name": "\xc3\x28"}',
    "\ufeff{}",
    '{"a": 1, "a": 2}',
    "1" * 5000,
    "-" + "9" * 5000,
]


@dataclass(frozen=True)
class Case:
    """One request of the corpus."""

    label: str
    method: str
    path: str
    role: str | None
    body: str | bytes | None = None
    content_type: str | None = "application/json"
    form: dict[str, Any] | None = field(default=None, hash=False)
    headers: tuple[tuple[str, str], ...] = ()


def _dumps(document: Any) -> str:
    """JSON text, ``NaN``/``Infinity`` included (as Python writes them) and surrogates kept."""
    return json.dumps(document, allow_nan=True)


def _variants(base: dict[str, Any], members: list[str]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name in members:
        for value in BAD_VALUES:
            out.append((f"{name}={_short(value)}", {**base, name: value}))
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


BBOX = [105.90, 21.08, 105.93, 21.11]
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[105.90, 21.00], [105.91, 21.00], [105.91, 21.01], [105.90, 21.01], [105.90, 21.00]]
    ],
}

#: Bad AHP matrices (for two criteria unless the shape is the point).
BAD_AHP: list[Any] = [
    5,
    "matrix",
    {},
    [],
    [[]],
    [[1]],
    [1, 2],
    [[1, 2], [3]],
    [[1, "a"], ["b", 1]],
    [[1, None], [None, 1]],
    [[0, 0], [0, 0]],
    [[1, -1], [-1, 1]],
    [[1, 1e308], [1e-308, 1]],
    [[1, 2, 3], [0.5, 1, 2]],
    [[[1]], [[1]]],
    [[1, True], [True, 1]],
    [[1, float("nan")], [float("nan"), 1]],
    [[1, float("inf")], [0, 1]],
    [[1] * 40 for _ in range(40)],
    [[1] * 2000 for _ in range(2000)],
]

#: Bad drawn polygons (geometry members and ``/api/within`` bodies).
BAD_GEOMETRIES: list[Any] = [
    {"type": "Polygon"},
    {"type": "Polygon", "coordinates": None},
    {"type": "Polygon", "coordinates": []},
    {"type": "Polygon", "coordinates": [[]]},
    {"type": "Polygon", "coordinates": [[[]]]},
    {"type": "Polygon", "coordinates": [[["a", "b"]]]},
    {"type": "Polygon", "coordinates": [[[1, 2, 3, 4, 5]]]},
    {"type": "Polygon", "coordinates": [[[105.9, 21.0], [105.9, 21.0]]]},
    {"type": "Polygon", "coordinates": [[[float("nan"), 21.0]] * 4]},
    {"type": "Polygon", "coordinates": [[[1e308, 1e308]] * 4]},
    {"type": "Polygon", "coordinates": [[[None, None]] * 4]},
    {"type": "Polygon", "coordinates": "x"},
    {"type": "Polygon", "coordinates": [[[[[[105.9, 21.0]]]]]]},
    {"type": "MultiPolygon", "coordinates": [[[]]]},
    {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], None]},
    {"type": "Polygon", "coordinates": SQUARE["coordinates"], "crs": "EPSG:3857"},
    {
        "type": "Polygon",
        "coordinates": [
            [[105.90, 21.0], [105.91, 21.01], [105.91, 21.0], [105.90, 21.01], [105.90, 21.0]]
        ],
    },
    {"type": "GeometryCollection", "geometries": [SQUARE]},
    {"type": "Feature", "geometry": None},
    {"type": "Feature", "geometry": {"type": "Feature", "geometry": SQUARE}},
    {"type": "Point", "coordinates": [105.9, 21.0]},
]


def json_cases() -> list[Case]:
    """Siting, allocation, the Decree 32 checker and ``/api/within``."""
    bodies: dict[str, tuple[dict[str, Any], list[tuple[str, Any]]]] = {
        "/api/siting": (
            {"bbox": BBOX, "cell_m": 300, "name": "fuzz"},
            [
                ("ahp=" + _short(m), {"criteria": ["road_distance_m", "slope_deg"], "ahp": m})
                for m in BAD_AHP
            ]
            + [("ahp-alone=" + _short(m), {"ahp": m}) for m in BAD_AHP[:8]]
            + [
                ("weights", {"weights": w})
                for w in (
                    {"road_distance_m": float("inf")},
                    {"road_distance_m": -1},
                    {"road_distance_m": "1"},
                    {"\x00": 1},
                    {"road_distance_m": None},
                    {"x" * 10_000: 1},
                )
            ]
            + [("criteria", {"criteria": c}) for c in (["\x00"], [""], ["x"] * 1000, [[]])]
            + [
                ("bbox", {"bbox": b})
                for b in (
                    [1, 2, 3, 4],
                    [106, 21, 105, 20],
                    [-200, 21, 200, 22],
                    [105.9, 21.08, 105.9, 21.08],
                    [100, 7, 112, 24],
                    ["105.9", "21.08", "105.93", "21.11"],
                    [None, None, None, None],
                    {"minlon": 1},
                    "105.9,21.08,105.93,21.11",
                )
            ]
            + [("cell_m", {"cell_m": c}) for c in (0, -30, 1e-9, 1e9, 1)],
        ),
        "/api/allocate": (
            {"p": 1, "name": "fuzz"},
            [("p", {"p": p}) for p in (None, 0, -1, 1.5, "1", 10**6, 2**31, 2**63, True, [1])]
            + [("sites_from", {"sites_from": s}) for s in (0, -1, 999_999, 2**31, 2**63, "1", 1.5)]
            + [
                ("site_refs", {"site_refs": r})
                for r in (
                    ["\x00"],
                    ["NO-SUCH"],
                    ["x" * 100_000],
                    [None],
                    [[]],
                    [{}],
                    ["CCN"] * 10_000,
                    "CCN-1",
                )
            ]
            + [
                ("max_commute", {"model": m, "max_commute_min": v})
                for m in ("p_median", "max_coverage")
                for v in (0, -5, 1e308, float("inf"), float("nan"), 10**30, "30")
            ]
            + [
                ("choice", {k: v})
                for k in ("model", "demand", "basis", "mode", "network")
                for v in ("plane", "", "\x00", None, 1)
            ]
            + [
                ("bbox", {"bbox": b})
                for b in (
                    [1, 2, 3, 4],
                    [106, 22, 105, 21],
                    [-200, -100, 200, 100],
                    [float("nan")] * 4,
                    [105.9, 21.0, 105.9, 21.0],
                )
            ]
            + [("capacity", {"capacity": c}) for c in ("no", 2, None, [])],
        ),
        "/api/check-cluster": (
            {"geometry": SQUARE},
            [("geometry", {"geometry": g}) for g in BAD_GEOMETRIES]
            + [("ref", {"geometry": None, "ref": r}) for r in ("\x00", "x" * 100_000, "NO", 1)]
            + [
                ("share", {k: v})
                for k in ("craft_land_share_pct", "service_land_share_pct")
                for v in (-1, 101, 1e308, float("nan"), float("inf"))
            ]
            + [("kind", {"kind": k}) for k in ("x", "\x00", 1, [])]
            + [("save_as", {"save_as": s}) for s in ("\x00", "\ud800", "x" * 10_000)]
            + [("expansion_of", {"expansion_of": e}) for e in ("\x00", "NO-SUCH", 1)],
        ),
    }
    cases: list[Case] = []
    for path, (base, specific) in bodies.items():
        for text in BAD_JSON_TEXTS:
            cases.append(Case(f"{path} raw {_short(text)}", "POST", path, "planner", text))
        members = sorted(set(base) | _members(path))
        for label, body in _variants(base, members) + [(lbl, {**base, **b}) for lbl, b in specific]:
            cases.append(Case(f"{path} {label}", "POST", path, "planner", _dumps(body)))
        cases.append(
            Case(f"{path} text/plain", "POST", path, "planner", _dumps(base), "text/plain")
        )
    for text in BAD_JSON_TEXTS:
        cases.append(Case(f"within raw {_short(text)}", "POST", "/api/within", None, text))
    for geometry in BAD_GEOMETRIES + BAD_VALUES:
        cases.append(
            Case(f"within {_short(geometry)}", "POST", "/api/within", None, _dumps(geometry))
        )
    return cases


def _members(path: str) -> set[str]:
    from webmap.bodies import AllocationBody, CheckClusterBody, SitingBody

    model = {
        "/api/siting": SitingBody,
        "/api/allocate": AllocationBody,
        "/api/check-cluster": CheckClusterBody,
    }[path]
    return set(model.model_fields)


def feature_cases(
    collection: str, fid: int, etag: str, feature: dict[str, Any], role: str
) -> list[Case]:
    """Creates, replaces, merges and deletes of one editable collection's features."""
    items, item = f"/collections/{collection}/items", f"/collections/{collection}/items/{fid}"
    match = (("If-Match", etag),)
    properties = dict(feature.get("properties") or {})
    bodies: list[tuple[str, Any]] = [("raw", None)]
    bodies += [("geometry", {**feature, "geometry": g}) for g in BAD_GEOMETRIES + BAD_VALUES]
    bodies += [
        (f"coordinates={_short(c)}", {**feature, "geometry": {"type": "Point", "coordinates": c}})
        for c in ([float("nan"), 21], [1e308, 1e308], ["105", "21"], [105.9], [[105.9, 21.0]])
    ]
    bodies += [("properties", {**feature, "properties": p}) for p in BAD_VALUES]
    merged = [
        (f"{name}={_short(value)}", {**feature, "properties": {**properties, name: value}})
        for name in sorted(properties)
        for value in PROPERTY_VALUES
    ]
    cases: list[Case] = []
    for label, body in merged:  # a create, and a merge into the stored feature
        for method, path in (("POST", items), ("PATCH", item)):
            cases.append(
                Case(
                    f"{method} {collection} {label}",
                    method,
                    path,
                    role,
                    _dumps(body),
                    headers=match,
                )
            )
    for label, body in bodies:
        if body is None:  # the create and the merge read bodies alike: one is enough
            for text in BAD_JSON_TEXTS:
                cases.append(
                    Case(
                        f"PATCH {collection} raw {_short(text)}",
                        "PATCH",
                        item,
                        role,
                        text,
                        headers=match,
                    )
                )
            continue
        text = _dumps(body)
        for method, path in (("POST", items), ("PATCH", item)):
            cases.append(
                Case(f"{method} {collection} {label}", method, path, role, text, headers=match)
            )
    for tag in ("", "*", '"\x00"', '"' + "x" * 10_000 + '"', 'W/"1"', '"1", "2"'):
        cases.append(
            Case(
                f"DELETE {collection} If-Match {_short(tag)}",
                "DELETE",
                item,
                role,
                None,
                None,
                headers=(("If-Match", tag),),
            )
        )
    for bad in ("0", "-1", "x", "99999999999", "1.5", "%00"):
        cases.append(
            Case(
                f"DELETE {collection} fid {bad}",
                "DELETE",
                f"{items}/{bad}",
                role,
                None,
                None,
                headers=match,
            )
        )
    return cases


_GOOD_CSV = (
    "station_ref,observed_at,parameter,value,unit\n"
    "SYN-AIR-BAT-TRANG,2026-11-30 01:00,PM2.5,41,µg/m3\n"
)
_WIDE_CSV = "station_ref,observed_at,PM2.5,NO2\nSYN-AIR-BAT-TRANG,2026-11-30 02:00,{a},{b}\n"

#: Cell values put in each column of a good row.
BAD_CELLS = [
    "\x00",
    "a\x00b",
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "1e999",
    "-1e999",
    "1e308",
    "9" * 400,
    "x" * 100_000,
    "=cmd|' /C calc'!A0",
    '"',
    '"unterminated',
    "\ud800",
    "",
    " ",
    "0x10",
    "1,5",
    "2026-13-45 99:99",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
]


def csv_cases() -> list[Case]:
    """Measurement uploads (the env officer's CSV)."""
    cases: list[Case] = []
    header, row = _GOOD_CSV.strip().split("\n")
    columns = row.split(",")
    for index, column in enumerate(header.split(",")):
        for cell in BAD_CELLS:
            cells = list(columns)
            cells[index] = cell
            text = header + "\n" + ",".join(cells) + "\n"
            cases.append(_upload(f"csv {column}={_short(cell)}", text))
    for a in BAD_CELLS:
        cases.append(_upload(f"wide csv PM2.5={_short(a)}", _WIDE_CSV.format(a=a, b="12")))
    whole: list[tuple[str, str | bytes]] = [
        ("empty", ""),
        ("header only", header + "\n"),
        ("no header", row + "\n"),
        ("binary", bytes(range(256)) * 4),
        ("latin-1", "station_ref,observed_at\n\xe9".encode("latin-1")),
        ("utf-16", _GOOD_CSV.encode("utf-16")),
        ("NUL header", "station\x00ref,observed_at,parameter,value,unit\n" + row + "\n"),
        ("long header", "x" * 100_000 + "\n1\n"),
        ("many columns", ",".join(f"c{i}" for i in range(5000)) + "\n" + "1," * 4999 + "1\n"),
        ("duplicate columns", "station_ref,station_ref,observed_at,value\n1,2,3,4\n"),
        ("ragged", header + "\n" + row + ",extra,extra\n"),
        ("quotes", header + '\n"SYN-AIR-BAT-TRANG,2026-11-30 01:00,PM2.5,41,µg/m3\n'),
        ("CR only", _GOOD_CSV.replace("\n", "\r")),
        ("only commas", ",,,,\n,,,,\n"),
    ]
    for label, text in whole:
        cases.append(_upload(f"csv {label}", text))
    for name in ("x.txt", "\x00.csv", "../../etc/passwd.csv", "a" * 300 + ".csv", ".csv", "é.CSV"):
        cases.append(_upload(f"file name {_short(name)}", _GOOD_CSV, filename=name, dry="1"))
    for option in ("replace", "partial", "dry_run", "unit"):
        for value in ("\x00", "x" * 10_000, "furlongs"):
            cases.append(_upload(f"form {option}={_short(value)}", _GOOD_CSV, **{option: value}))
    return cases


def _upload(
    label: str, text: str | bytes, *, filename: str = "fuzz.csv", dry: str = "1", **form: str
) -> Case:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return Case(
        label,
        "POST",
        "/api/measurements",
        "env_officer",
        None,
        None,
        form={"file": (data, filename), "dry_run": dry, **form},
    )
