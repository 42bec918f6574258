r"""Vietnamese 8-bit encodings: Windows-1258, TCVN3 (ABC) and VNI, to and from Unicode NFC.

Python ships Windows-1258 (``cp1258``) but neither TCVN3 nor VNI, and no well-kept
package on PyPI provides them as codecs, so their tables are written here, from the
published character sets:

- **TCVN3 (ABC)**: the VN3 table of the national standard TCVN 5712:1993 ("Công nghệ
  thông tin - Bộ mã chuẩn 8-bit kí tự Việt dùng trong trao đổi thông tin"), the encoding
  of the ABC fonts (``.VnTime``, ``.VnArial``...). VN3 has the 67 lower-case toned and
  marked vowels and ``đ`` but, of the capitals, only ``Ă Â Đ Ê Ô Ơ Ư``: a capital toned
  vowel is the lower-case byte drawn with an upper-case font (``.VnTimeH``). Decoding
  therefore yields lower case for those; a word written all in capitals (two capitals
  or more, no lower-case ASCII letter) is put back in capitals.
- **VNI** (VNI-Windows, the encoding of the VNI fonts of VNI Software, ``VNI-Times``...):
  a vowel is its ASCII letter followed by one byte for its marks (``a`` + ``ù`` = ``á``,
  ``a`` + ``á`` = ``ấ``); ``ơ ư đ`` and the toned ``i`` and ``ỵ`` are single bytes.
  Bytes are those of the fonts' Windows-1252 positions (all in the Latin-1 range).

Windows-1258 writes most toned vowels as a base letter followed by a combining tone
byte; decoding composes them (NFC).

Examples
--------
>>> decode(b"B\xb8t Tr\xb5ng", "tcvn3")
'Bát Tràng'
>>> decode(b"Ba\xf9t Tra\xf8ng", "vni")
'Bát Tràng'
>>> decode("Đồng Kỵ".encode("utf-8"), "utf-8")
'Đồng Kỵ'
>>> all(decode(encode(w, e), e) == w for w in ("Hương Mạc", "Phù Khê") for e in CODECS)
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CODECS", "EncodeError", "canonical_name", "decode", "encode"]

#: The encodings this module reads and writes, by their canonical names.
CODECS = ("utf-8", "cp1258", "tcvn3", "vni")

#: Names a user may give (any case; spaces, ``-`` and ``_`` ignored) for each codec.
_NAMES = {
    "utf8": "utf-8",
    "unicode": "utf-8",
    "65001": "utf-8",
    "cp1258": "cp1258",
    "1258": "cp1258",
    "windows1258": "cp1258",
    "win1258": "cp1258",
    "ansi1258": "cp1258",
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "tcvn5712": "tcvn3",
    "abc": "tcvn3",
    "vn3": "tcvn3",
    "vni": "vni",
    "vniwin": "vni",
    "vniwindows": "vni",
}

# TCVN 5712:1993 VN3: each vowel row is the bare letter's five toned forms (grave, acute,
# hook, tilde, dot below) and the byte of each, from the standard's code table.
_TCVN3_ROWS = (
    ("àáảãạ", b"\xb5\xb8\xb6\xb7\xb9"),
    ("ằắẳẵặ", b"\xbb\xbe\xbc\xbd\xc6"),
    ("ầấẩẫậ", b"\xc7\xca\xc8\xc9\xcb"),
    ("èéẻẽẹ", b"\xcc\xd0\xce\xcf\xd1"),
    ("ềếểễệ", b"\xd2\xd5\xd3\xd4\xd6"),
    ("ìíỉĩị", b"\xd7\xdd\xd8\xdc\xde"),
    ("òóỏõọ", b"\xdf\xe3\xe1\xe2\xe4"),
    ("ồốổỗộ", b"\xe5\xe8\xe6\xe7\xe9"),
    ("ờớởỡợ", b"\xea\xed\xeb\xec\xee"),
    ("ùúủũụ", b"\xef\xf3\xf1\xf2\xf4"),
    ("ừứửữự", b"\xf5\xf8\xf6\xf7\xf9"),
    ("ỳýỷỹỵ", b"\xfa\xfd\xfb\xfc\xfe"),
    # the marked vowels and đ, lower case, then the seven capitals VN3 has
    ("ăâêôơưđ", b"\xa8\xa9\xaa\xab\xac\xad\xae"),
    ("ĂÂÊÔƠƯĐ", b"\xa1\xa2\xa3\xa4\xa5\xa6\xa7"),
)
_TCVN3_DECODE = {b: ch for chars, codes in _TCVN3_ROWS for ch, b in zip(chars, codes, strict=True)}
_TCVN3_ENCODE = {ch: b for b, ch in _TCVN3_DECODE.items()}

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
TONES = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)

# VNI: the byte after a vowel and the marks it adds (lower-case byte, upper-case byte).
_VNI_MARKS = {
    (None, _ACUTE): "ùÙ",
    (None, _GRAVE): "øØ",
    (None, _HOOK): "ûÛ",
    (None, _TILDE): "õÕ",
    (None, _DOT): "ïÏ",
    (_CIRCUMFLEX, None): "âÂ",
    (_CIRCUMFLEX, _ACUTE): "áÁ",
    (_CIRCUMFLEX, _GRAVE): "àÀ",
    (_CIRCUMFLEX, _HOOK): "åÅ",
    (_CIRCUMFLEX, _TILDE): "ãÃ",
    (_CIRCUMFLEX, _DOT): "äÄ",
    (_BREVE, None): "êÊ",
    (_BREVE, _ACUTE): "éÉ",
    (_BREVE, _GRAVE): "èÈ",
    (_BREVE, _HOOK): "úÚ",
    (_BREVE, _TILDE): "üÜ",
    (_BREVE, _DOT): "ëË",
}
# VNI: single bytes that are letters of their own (lower case, upper case).
_VNI_LETTERS = {
    "ơ": "ôÔ",
    "ư": "öÖ",
    "đ": "ñÑ",
    "í": "íÍ",
    "ì": "ìÌ",
    "ỉ": "æÆ",
    "ĩ": "óÓ",
    "ị": "òÒ",
    "ỵ": "îÎ",
}
_VNI_DECODE: dict[str, str] = {}
for (_vowel_mark, _tone), _pair in _VNI_MARKS.items():
    for _ch in _pair:
        _VNI_DECODE[_ch] = (_vowel_mark or "") + (_tone or "")
for _letter, _pair in _VNI_LETTERS.items():
    _VNI_DECODE[_pair[0]] = unicodedata.normalize("NFD", _letter)
    _VNI_DECODE[_pair[1]] = unicodedata.normalize("NFD", _letter.upper())
# Bytes 0x80-0x9F outside the tables: their Windows-1252 characters (as the fonts draw them).
_C1 = {}
for _b in range(0x80, 0xA0):
    try:
        _C1[chr(_b)] = bytes([_b]).decode("cp1252")
    except UnicodeDecodeError:
        pass
_VNI_TABLE = str.maketrans({**_C1, **_VNI_DECODE})
_TCVN3_TABLE = str.maketrans({**_C1, **{chr(b): ch for b, ch in _TCVN3_DECODE.items()}})
_VNI_SINGLE = {
    **{letter: pair[0] for letter, pair in _VNI_LETTERS.items()},
    **{letter.upper(): pair[1] for letter, pair in _VNI_LETTERS.items()},
}

#: Windows-1258's combining tone bytes.
_CP1258_TONES = {_GRAVE: b"\xcc", _ACUTE: b"\xec", _HOOK: b"\xd2", _TILDE: b"\xde", _DOT: b"\xf2"}

_CAPS_WORD = re.compile(r"[^\W\d_]+")


class EncodeError(ValueError):
    """A character the target encoding cannot write."""


def canonical_name(name: str) -> str | None:
    """The canonical codec name for a user's spelling, or ``None`` when unknown.

    Examples
    --------
    >>> canonical_name("Windows-1258"), canonical_name("ABC"), canonical_name("VNI-Win")
    ('cp1258', 'tcvn3', 'vni')
    >>> canonical_name("latin-1") is None
    True
    """
    return _NAMES.get(re.sub(r"[\s_\-.]", "", name.lower()))


def decode(data: bytes, encoding: str) -> str:
    """Decode ``data`` from one of :data:`CODECS` into Unicode NFC.

    UTF-8 and Windows-1258 are strict (``UnicodeDecodeError`` on a byte they do not
    define); TCVN3 and VNI decode every byte (a byte outside their tables is read as its
    Windows-1252 character, which a reader will see as foreign).

    Raises
    ------
    UnicodeDecodeError
        When the bytes are not valid UTF-8 or Windows-1258.
    LookupError
        When ``encoding`` is not one of :data:`CODECS`.
    """
    if encoding == "utf-8":
        text = data.decode("utf-8-sig")
    elif encoding == "cp1258":
        text = data.decode("cp1258")
    elif encoding == "tcvn3":
        text = _restore_capitals(data.decode("latin-1").translate(_TCVN3_TABLE), data)
    elif encoding == "vni":
        text = data.decode("latin-1").translate(_VNI_TABLE)
    else:
        raise LookupError(encoding)
    return unicodedata.normalize("NFC", text)


def _restore_capitals(text: str, data: bytes) -> str:
    """Upper-case TCVN3 words written in capitals (their toned vowels came out lower case)."""
    if data.isascii():
        return text

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        capitals = sum(ch.isupper() for ch in word)
        lower_ascii = any("a" <= ch <= "z" for ch in word)
        return word.upper() if capitals >= 2 and not lower_ascii else word

    return _CAPS_WORD.sub(fix, text)


def encode(text: str, encoding: str) -> bytes:
    """Encode Unicode ``text`` in one of :data:`CODECS` (what a legacy program writes).

    Raises
    ------
    EncodeError
        When a character cannot be written in that encoding.
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == "utf-8":
        return text.encode("utf-8")
    coder = {"cp1258": _encode_cp1258, "tcvn3": _encode_tcvn3, "vni": _encode_vni}.get(encoding)
    if coder is None:
        raise LookupError(encoding)
    return b"".join(coder(ch) for ch in text)


def _split(ch: str) -> tuple[str, str | None, str | None, bool]:
    """A letter as (base letter, vowel mark, tone, horn)."""
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    vowel_mark = next((m for m in marks if m in (_CIRCUMFLEX, _BREVE)), None)
    tone = next((m for m in marks if m in TONES), None)
    known = {_CIRCUMFLEX, _BREVE, _HORN, *TONES}
    if any(m not in known for m in marks):
        raise EncodeError(ch)
    return base, vowel_mark, tone, _HORN in marks


def _encode_cp1258(ch: str) -> bytes:
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        base, vowel_mark, tone, horn = _split(ch)
        if tone is None:
            raise EncodeError(ch) from None
        bare = unicodedata.normalize("NFC", base + (vowel_mark or "") + (_HORN if horn else ""))
        try:
            return bare.encode("cp1258") + _CP1258_TONES[tone]
        except UnicodeEncodeError:
            raise EncodeError(ch) from None


def _encode_tcvn3(ch: str) -> bytes:
    if ch < "\x80":
        return ch.encode("ascii")
    code = _TCVN3_ENCODE.get(ch) or _TCVN3_ENCODE.get(ch.lower())  # capitals: see above
    if code is None:
        raise EncodeError(ch)
    return bytes([code])


def _encode_vni(ch: str) -> bytes:
    if ch < "\x80":
        return ch.encode("ascii")
    if ch in _VNI_SINGLE:
        return _VNI_SINGLE[ch].encode("latin-1")
    base, vowel_mark, tone, horn = _split(ch)
    if base.lower() not in "aeiouy" or not base.isascii():
        raise EncodeError(ch)
    if horn:  # ơ, ư carry the horn in their own byte; the tone follows
        head = _VNI_SINGLE[unicodedata.normalize("NFC", base + _HORN)]
    elif base.lower() == "i" and tone is not None:
        return _VNI_SINGLE[unicodedata.normalize("NFC", base + tone)].encode("latin-1")
    elif base.lower() == "y" and tone == _DOT:
        return _VNI_SINGLE["ỵ" if base == "y" else "Ỵ"].encode("latin-1")
    else:
        head = base
    if vowel_mark is None and tone is None:
        return head.encode("latin-1")
    pair = _VNI_MARKS.get((vowel_mark, tone))
    if pair is None:
        raise EncodeError(ch)
    return (head + pair[1 if base.isupper() else 0]).encode("latin-1")
