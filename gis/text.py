"""Vietnamese text: Unicode NFC, accent folding for search, name keys."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["admin_key", "column_key", "fold", "nfc"]

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
