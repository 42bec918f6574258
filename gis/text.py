"""Vietnamese text: Unicode NFC, accent folding for search, name keys."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["admin_key", "column_key", "fold", "nfc", "split_admin_prefix"]

_PREFIXES = re.compile(
    r"^(thanh pho|tinh|tp\.?|quan|huyen|thi xa|thi tran|phuong|xa|dac khu)\s+", re.IGNORECASE
)


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with surrounding white space removed.

    Examples
    --------
    >>> nfc("Ba\u0301t Tra\u0300ng") == "Bát Tràng"
    True
    """
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Fold Vietnamese text to lower-case ASCII for accent-insensitive search.

    Examples
    --------
    >>> fold("Bát Tràng")
    'bat trang'
    >>> fold("  Đông   Kỵ ")
    'dong ky'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def admin_key(name: str) -> str:
    """Key for matching administrative unit names written in different styles.

    Examples
    --------
    >>> admin_key("Thành phố Hà Nội") == admin_key("Hà Nội") == "ha noi"
    True
    >>> admin_key("Tỉnh Bắc Ninh")
    'bac ninh'
    """
    return _PREFIXES.sub("", fold(name)).strip()


#: The administrative prefixes (folded) and how they are written, longest first.
_PREFIX_WORDS = {
    "thanh pho": "Thành phố",
    "thi tran": "Thị trấn",
    "thi xa": "Thị xã",
    "dac khu": "Đặc khu",
    "tinh": "Tỉnh",
    "quan": "Quận",
    "huyen": "Huyện",
    "phuong": "Phường",
    "xa": "Xã",
    "tp.": "Thành phố",
    "tp": "Thành phố",
}


def split_admin_prefix(name: str) -> tuple[str | None, str]:
    """Split an administrative unit's name into its prefix (as Vietnamese writes it) and the rest.

    The prefix is matched without diacritics or case (``TỈNH``, ``tinh``, ``TP.``); the rest
    keeps its diacritics, in NFC with single spaces. ``None`` when the name has no prefix.

    Examples
    --------
    >>> split_admin_prefix("Tỉnh  Bắc Ninh")
    ('Tỉnh', 'Bắc Ninh')
    >>> split_admin_prefix("TP. Hà Nội")
    ('Thành phố', 'Hà Nội')
    >>> split_admin_prefix("Hà Nội")
    (None, 'Hà Nội')
    >>> split_admin_prefix("Phường 1")
    (None, 'Phường 1')
    """
    words = nfc(name).split()
    folded = fold(name).split()
    for prefix, written in _PREFIX_WORDS.items():
        size = len(prefix.split())
        # "Phường 1" keeps its prefix: a number alone names no unit
        if folded[:size] == prefix.split() and len(words) > size and not words[size].isdigit():
            return written, " ".join(words[size:])
    return None, " ".join(words)


def column_key(name: str) -> str:
    """A column name as imports compare it: NFC, no diacritics, lower case, letters and digits.

    Examples
    --------
    >>> column_key("Kinh độ"), column_key("kinh_do"), column_key(" KINH-DO ")
    ('kinhdo', 'kinhdo', 'kinhdo')
    >>> column_key("Tên trạm") == column_key("ten_tram")
    True
    """
    return re.sub(r"[^a-z0-9]", "", fold(unicodedata.normalize("NFC", str(name))))
