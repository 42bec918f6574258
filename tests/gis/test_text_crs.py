"""Vietnamese text helpers and CRS handling (pure, no database)."""

from __future__ import annotations

import unicodedata

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS, Transformer
from shapely.geometry import Point

from gis.crs import VN2000_TOWGS84, check_same_crs, resolve_crs, to_wgs84
from gis.errors import CRSError, CRSMismatchError
from gis.text import admin_key, fold, nfc


def test_fold_handles_every_vietnamese_diacritic_and_d_bar():
    assert fold("Bát Tràng") == fold("Bat Trang") == fold("BÁT TRÀNG") == "bat trang"
    assert fold("Đồng Kỵ") == "dong ky"
    assert fold(unicodedata.normalize("NFD", "Phù Lãng")) == "phu lang"


def test_nfc_composes_decomposed_text():
    decomposed = unicodedata.normalize("NFD", "Vạn Phúc")
    assert decomposed != "Vạn Phúc"
    assert nfc(decomposed) == "Vạn Phúc"


def test_admin_key_strips_unit_prefixes():
    assert admin_key("Thị xã Từ Sơn") == admin_key("Thành phố Từ Sơn") == "tu son"
    assert admin_key("Huyện Gia Lâm") == "gia lam"


def _official_helmert(lon: float, lat: float) -> tuple[float, float]:
    """VN-2000 -> WGS 84 by an explicit PROJ pipeline with the Decision 05/2007 parameters."""
    dx, dy, dz, rx, ry, rz, s = VN2000_TOWGS84
    pipeline = (
        "+proj=pipeline +step +proj=axisswap +order=2,1 +step +proj=unitconvert +xy_in=deg "
        "+xy_out=rad "
        "+step +proj=cart +ellps=WGS84 "
        f"+step +proj=helmert +x={dx} +y={dy} +z={dz} +rx={rx} +ry={ry} +rz={rz} +s={s} "
        "+convention=position_vector "
        "+step +inv +proj=cart +ellps=WGS84 +step +proj=unitconvert +xy_in=rad +xy_out=deg "
        "+step +proj=axisswap +order=2,1"
    )
    lat_out, lon_out = Transformer.from_pipeline(pipeline).transform(lat, lon)
    return lon_out, lat_out


def test_vn2000_geographic_uses_the_official_parameters():
    lon, lat = 105.85, 21.03
    gdf = gpd.GeoDataFrame(geometry=[Point(lon, lat)], crs="EPSG:4756")
    out = to_wgs84(gdf).geometry.iloc[0]
    expected = _official_helmert(lon, lat)
    assert out.x == pytest.approx(expected[0], abs=1e-9)
    assert out.y == pytest.approx(expected[1], abs=1e-9)
    # and the shift is real (hundreds of metres), so the test could fail
    assert abs(out.x - lon) + abs(out.y - lat) > 1e-4


def test_vn2000_tm3_grid_round_trips_through_the_official_datum():
    vn_tm3 = CRS.from_epsg(9210)  # VN-2000 / TM-3 105-00 (Hà Nội's zone)
    assert "VN-2000" in vn_tm3.name
    to_grid = Transformer.from_crs("EPSG:4756", vn_tm3, always_xy=True)
    x, y = to_grid.transform(105.85, 21.03)
    gdf = gpd.GeoDataFrame(geometry=[Point(x, y)], crs=vn_tm3)
    out = to_wgs84(gdf).geometry.iloc[0]
    expected = _official_helmert(105.85, 21.03)
    assert out.x == pytest.approx(expected[0], abs=1e-7)
    assert out.y == pytest.approx(expected[1], abs=1e-7)


def test_utm_48n_is_accepted_and_transformed():
    x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(105.85, 21.03)
    out = to_wgs84(gpd.GeoDataFrame(geometry=[Point(x, y)], crs=32648)).geometry.iloc[0]
    assert (out.x, out.y) == pytest.approx((105.85, 21.03), abs=1e-9)


def test_unsupported_and_missing_crs_are_refused():
    with pytest.raises(CRSError, match="crs.unsupported"):
        resolve_crs("EPSG:3857")
    with pytest.raises(CRSError, match="crs.unknown"):
        resolve_crs("EPSG:999999")
    with pytest.raises(CRSError, match="crs.missing"):
        to_wgs84(gpd.GeoDataFrame(geometry=[Point(105, 21)]))


def test_check_same_crs():
    a = gpd.GeoSeries([Point(0, 0)], crs=4326)
    check_same_crs(a, gpd.GeoSeries([Point(1, 1)], crs=4326))
    with pytest.raises(CRSMismatchError):
        check_same_crs(a, gpd.GeoSeries([Point(1, 1)], crs=32648))
    assert np.isfinite(a.x.iloc[0])
