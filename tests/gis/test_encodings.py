"""Vietnamese encodings: the codecs' tables, the syllable test and the detection.

The names come from the real craft-village file (../shared/data), read at test time and
encoded here in each encoding; nothing of it is copied into the project.
"""

from __future__ import annotations

import csv
import unicodedata

import pytest

from gis.encodings import MIN_SHARE, Decoding, detect, is_syllable, judge, syllable_share
from gis.errors import ValidationError
from gis.vncodecs import CODECS, EncodeError, canonical_name, decode, encode

LEGACY = ("cp1258", "tcvn3", "vni")


@pytest.fixture(scope="module")
def names(real_data) -> list[str]:
    """Every village, ward, district and province name of the real craft-village file."""
    path = real_data / "craftvillages" / "vn_craft_villages_cvpms.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    columns = ("village_name", "ward_name", "district_name", "province_name")
    return sorted({r[c] for r in rows for c in columns if r[c]})


# Bytes written by hand from the published tables (TCVN 5712:1993 VN3; the VNI fonts;
# Windows-1258 checked by Python's own codec): the codecs must read them, not just
# read back what they wrote.
ANCHORS = [
    ("tcvn3", b"B\xb8t Tr\xb5ng", "Bát Tràng"),
    ("tcvn3", b"\xa7\xe5ng K\xfe", "Đồng Kỵ"),
    ("tcvn3", b"H\xad\xacng M\xb9c", "Hương Mạc"),
    ("tcvn3", b"h\xe9p m\xf8t t\xd5t", "hộp mứt tết"),
    ("tcvn3", b"L\xb7NG NGH\xd2", "LÃNG NGHỀ"),  # capitals: lower-case bytes, restored
    ("vni", b"Ba\xf9t Tra\xf8ng", "Bát Tràng"),
    ("vni", b"\xd1o\xe0ng K\xee", "Đồng Kỵ"),
    ("vni", b"H\xf6\xf4ng Ma\xefc", "Hương Mạc"),
    ("vni", b"Nghie\xe2m Xuye\xe2n", "Nghiêm Xuyên"),
    ("vni", b"\xd6\xd9NG HO\xd8A", "ỨNG HÒA"),
    ("cp1258", b"\xd0\xf4\xccng Ky\xf2", "Đồng Kỵ"),
    ("cp1258", b"B\xe1t Tr\xe0ng", "Bát Tràng"),
]


@pytest.mark.parametrize(("encoding", "data", "text"), ANCHORS)
def test_published_bytes_decode_to_their_letters(encoding, data, text):
    assert decode(data, encoding) == text


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_windows_1258_agrees_with_pythons_codec(names):
    for name in names:
        assert _nfc(encode(name, "cp1258").decode("cp1258")) == _nfc(name)


@pytest.mark.parametrize("encoding", CODECS)
def test_every_real_name_goes_there_and_back(names, encoding):
    nfd = [n for n in names if n != _nfc(n)]
    assert nfd  # the real file has decomposed names: they come back composed (NFC)
    for name in names:
        back, want = decode(encode(name, encoding), encoding), _nfc(name)
        # TCVN3 (VN3) has no toned capitals: Ứng Hòa comes back as ứng Hòa
        assert back == want if encoding != "tcvn3" else back.lower() == want.lower(), name


def test_a_letter_an_encoding_lacks_is_refused():
    with pytest.raises(EncodeError):
        encode("Café ß", "tcvn3")
    with pytest.raises(EncodeError):
        encode("ñ", "vni")


def test_encoding_names_people_write():
    assert [canonical_name(n) for n in ("UTF8", "windows-1258", "TCVN3", "abc", "VNI")] == [
        "utf-8",
        "cp1258",
        "tcvn3",
        "tcvn3",
        "vni",
    ]
    assert canonical_name("latin1") is None


def test_real_names_are_vietnamese_syllables(names):
    share, words = syllable_share(names)
    assert words > 500 and share > 0.97  # the rest: highland names (Krông, Jút), typos


def test_mojibake_is_not(names):
    mojibake = ["B¸t", "BÃ¡t", "Baùt", "Traìng", "Hμng", "§ång", "Tr­êng"]
    assert not any(is_syllable(w) for w in mojibake)
    assert all(is_syllable(w) for w in ("Thuỵ", "Thụy", "quyết", "Khuyến", "giữa", "Ước"))


@pytest.mark.parametrize("encoding", LEGACY)
def test_each_legacy_encoding_is_detected_with_its_confidence(names, encoding):
    found = detect(b"\n".join(encode(n, encoding) for n in names))
    assert (found.encoding, found.method) == (encoding, "detected")
    assert found.confidence > 0.97 and found.words > 500
    others = [share for e, share in found.shares.items() if e != encoding]
    assert others and max(others) < 0.5


def test_valid_utf8_and_ascii(names):
    assert detect("\n".join(names).encode()) == Decoding("utf-8", "utf8")
    assert detect(b"Bat Trang, Dong Ky").method == "ascii"


def test_text_in_no_vietnamese_encoding_is_refused_with_each_share():
    latin = "Café crème, Müller, Straße, Ñandú, señor".encode("latin-1")
    with pytest.raises(ValidationError) as caught:
        detect(latin, what="x.dbf")
    message = caught.value.message
    assert message.code == "encoding.none_plausible"
    assert message.params["path"] == "x.dbf" and message.params["minimum"] == 100 * MIN_SHARE
    shares = {m.params["encoding"]: m.params["percent"] for m in message.params["shares"]}
    assert set(shares) == {"Windows-1258", "TCVN3 (ABC)", "VNI"}
    assert max(shares.values()) < 100 * MIN_SHARE


def test_a_file_merged_from_two_encodings_is_refused(names):
    half = len(names) // 2
    mixed = [encode(n, "tcvn3") for n in names[:half]] + [encode(n, "vni") for n in names[half:]]
    with pytest.raises(ValidationError, match="encoding.none_plausible"):
        detect(b"\n".join(mixed))


def test_a_given_encoding_reports_how_well_it_reads(names):
    data = b"\n".join(encode(n, "vni") for n in names)
    right, wrong = judge(data, "vni", "given"), judge(data, "tcvn3", "given")
    assert right.confidence > 0.97 and wrong.confidence < 0.5
    with pytest.raises(ValidationError, match="encoding.invalid_bytes"):
        judge(data, "utf-8", "given")
