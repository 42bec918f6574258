"""The craft vocabulary and craft inference from Vietnamese village names."""

from __future__ import annotations

import re
from typing import Any

from gis.text import nfc
from layers.layer import N_, Column, Layer

__all__ = [
    "CRAFT_CODES",
    "CRAFT_TYPES",
    "craft_names",
    "craft_vocabulary",
    "infer_craft",
    "infer_recognition",
]

#: The craft vocabulary (codes, names, pollution class), seeded by the villages' migration.
CRAFT_TYPES = Layer(
    name="craft_types",
    table="craft_types",
    title=N_("Crafts"),
    description=N_("The crafts of the villages, with their names and pollution class."),
    schema=(
        Column("code", required=True, role="stored"),
        Column("name_vi", required=True, role="stored"),
        Column("name_en", required=True, role="stored"),
        Column("pollution_class", required=True, role="stored", choices=("high", "medium", "low")),
    ),
    key=("code",),
)

#: Keyword (lower-case, with diacritics) -> craft code. Longer, more specific keywords
#: are tried first so that "đúc đồng" wins over "đúc" and "tái chế chì" over "tái chế".
_KEYWORDS: dict[str, str] = {
    "tái chế chì": "lead_recycling",
    "nấu chì": "lead_recycling",
    "tái chế nhựa": "plastic_recycling",
    "nhựa": "plastic_recycling",
    "tái chế nhôm": "metal_recycling",
    "cô đúc nhôm": "metal_recycling",
    "đúc phế liệu": "metal_recycling",
    "tái chế sắt": "metal_recycling",
    "tái chế thép": "metal_recycling",
    "phế liệu": "metal_recycling",
    "tái chế giấy": "paper",
    "giấy dó": "paper",
    "giấy": "paper",
    "tái chế": "metal_recycling",
    "đúc đồng": "bronze_casting",
    "gò đồng": "bronze_casting",
    "đúc kim loại": "metal_working",
    "đúc": "metal_working",
    "rèn": "metal_working",
    "cơ kim khí": "metal_working",
    "kim khí": "metal_working",
    "két sắt": "metal_working",
    "dũa": "metal_working",
    "chạm bạc": "silver_gold",
    "kim hoàn": "silver_gold",
    "quỳ": "silver_gold",
    "bạc": "silver_gold",
    "gốm": "ceramics",
    "sứ": "ceramics",
    "sành": "ceramics",
    "đất nung": "ceramics",
    "sơn mài": "lacquer",
    "sơn ta": "lacquer",
    "khảm": "mother_of_pearl",
    "xà cừ": "mother_of_pearl",
    "lụa": "silk",
    "tơ tằm": "silk",
    "dâu tằm": "silk",
    "nuôi tằm": "silk",
    "the lụa": "silk",
    "ươm tơ": "silk",
    "nhuộm": "dyeing",
    "thêu": "embroidery",
    "ren": "embroidery",
    "thổ cẩm": "weaving",
    "dệt": "weaving",
    "may": "weaving",
    "màn": "weaving",
    "vải": "weaving",
    "đồng hồ gỗ": "wood",
    "gỗ": "wood",
    "mộc": "wood",
    "chạm khắc": "wood",
    "điêu khắc": "wood",
    "tiện": "wood",
    "tượng": "wood",
    "nội thất": "wood",
    "tủ bếp": "wood",
    "khuôn bánh": "wood",
    "mây": "rattan_bamboo",
    "tre": "rattan_bamboo",
    "trúc": "rattan_bamboo",
    "cói": "rattan_bamboo",
    "giang": "rattan_bamboo",
    "đan": "rattan_bamboo",
    "guột": "rattan_bamboo",
    "chiếu": "rattan_bamboo",
    "nón": "conical_hat",
    "đá": "stone",
    "tranh": "painting",
    "hương": "incense",
    "nhang": "incense",
    "vàng mã": "incense",
    "da": "leather",
    "giày": "leather",
    "sừng": "toys_crafts",
    "tò he": "toys_crafts",
    "đồ chơi": "toys_crafts",
    "đèn": "toys_crafts",
    "lông vũ": "toys_crafts",
    "múa rối": "toys_crafts",
    "phù điêu": "toys_crafts",
    "nhạc cụ": "musical_instruments",
    "trống": "musical_instruments",
    "thủy tinh": "glass",
    "rượu": "liquor",
    "hoa": "horticulture",
    "cây cảnh": "horticulture",
    "sinh vật cảnh": "horticulture",
    "bún": "food_processing",
    "bánh": "food_processing",
    "miến": "food_processing",
    "cốm": "food_processing",
    "tương": "food_processing",
    "đậu phụ": "food_processing",
    "kẹo": "food_processing",
    "mứt": "food_processing",
    "chè": "food_processing",
    "nước mắm": "food_processing",
    "mắm": "food_processing",
    "cá kho": "food_processing",
    "mỳ": "food_processing",
    "mì": "food_processing",
    "bánh đa": "food_processing",
    "chế biến": "food_processing",
    "mạch nha": "food_processing",
    "quế": "food_processing",
    "muối": "food_processing",
    "giò chả": "food_processing",
    "lá dong": "food_processing",
    "tôm khô": "food_processing",
    "hấp cá": "food_processing",
    "đường": "food_processing",
    "hủ tiếu": "food_processing",
    "phở": "food_processing",
    "nem": "food_processing",
    "bột": "food_processing",
    "chuối": "food_processing",
    "gạch": "ceramics",
    "ngói": "ceramics",
    "nồi đất": "ceramics",
    "lò đất": "ceramics",
    "heo đất": "ceramics",
    "lu": "ceramics",
    "tằm tơ": "silk",
    "cơ khí": "metal_working",
    "lưỡi câu": "metal_working",
    "đóng tàu": "metal_working",
    "rối nước": "toys_crafts",
    "diều": "toys_crafts",
    "đũa": "wood",
    "thớt": "wood",
    "guốc": "wood",
    "chổi": "rattan_bamboo",
    "xơ dừa": "rattan_bamboo",
    "lưới": "weaving",
    "chài": "weaving",
    "trang sức": "silver_gold",
}
_ORDERED = sorted(_KEYWORDS, key=len, reverse=True)
_PATTERNS = [(re.compile(rf"(?<!\w){re.escape(k)}(?!\w)"), _KEYWORDS[k]) for k in _ORDERED]

CRAFT_CODES: tuple[str, ...] = (
    "ceramics",
    "silk",
    "weaving",
    "dyeing",
    "embroidery",
    "bronze_casting",
    "metal_working",
    "metal_recycling",
    "lead_recycling",
    "plastic_recycling",
    "paper",
    "silver_gold",
    "wood",
    "lacquer",
    "mother_of_pearl",
    "rattan_bamboo",
    "conical_hat",
    "stone",
    "painting",
    "incense",
    "leather",
    "toys_crafts",
    "musical_instruments",
    "food_processing",
    "liquor",
    "horticulture",
    "glass",
    "other",
)


def infer_craft(name: str) -> str | None:
    """Infer the craft code from a Vietnamese village name, or ``None``.

    Examples
    --------
    >>> infer_craft("Làng nghề gốm Bát Tràng")
    'ceramics'
    >>> infer_craft("Làng nghề đúc đồng Đại Bái")
    'bronze_casting'
    >>> infer_craft("Làng nghề đúc phế liệu Mẫn Xá")
    'metal_recycling'
    >>> infer_craft("Làng Phú Đô") is None
    True
    """
    text = nfc(name).lower()
    hits = []
    for pattern, code in _PATTERNS:
        found = pattern.search(text)
        if found:
            hits.append((found.start(), -(found.end() - found.start()), code))
    # The craft named first wins ("Làng nghề cói ... Quế Ổ" is sedge, not cinnamon);
    # at one position the longest keyword wins ("đúc đồng" over "đúc").
    return min(hits)[2] if hits else None


def infer_recognition(name: str) -> str:
    """Guess the recognition status from a name ("truyền thống" marks a traditional one).

    Examples
    --------
    >>> infer_recognition("Làng nghề truyền thống Đúc kim loại Bằng Châu")
    'traditional_craft_village'
    """
    text = nfc(name).lower()
    if "truyền thống" in text:
        return "traditional_craft_village"
    return "craft_village" if text.startswith("làng nghề") else "unknown"


def craft_names(conn: Any, code: str) -> tuple[str, str] | None:
    """The Vietnamese and English names of craft ``code``, or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT name_vi, name_en FROM craft_types WHERE code = %s", (code,))
        row = cur.fetchone()
    return (str(row[0]), str(row[1])) if row else None


def craft_vocabulary(conn: Any) -> dict[str, dict[str, str]]:
    """Every craft by code: names in both languages (``vi``, ``en``) and pollution class."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name_vi, name_en, pollution_class FROM craft_types ORDER BY code")
        return {r[0]: {"vi": r[1], "en": r[2], "pollution": r[3]} for r in cur.fetchall()}
