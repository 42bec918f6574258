r"""Which encoding a Vietnamese text file is in: UTF-8, Windows-1258, TCVN3 or VNI.

Files without a stated encoding (a Shapefile's DBF without ``.cpg``, a CSV saved by an
old program) are decoded each way (:mod:`gis.vncodecs`) and judged by their words: a
decoding is plausible when the words with letters outside ASCII read as Vietnamese
syllables (an initial consonant, a rhyme of the language's rhyme table, at most one
tone mark). Mojibake fails that test: ``B¸t`` (TCVN3 read as Windows-1258), ``BÃ¡t``
(UTF-8 read as Windows-1258), ``Baùt`` (VNI read as Windows-1258: no rhyme ``aut``).

Valid UTF-8 is taken as UTF-8: the bytes of the legacy encodings practically never form
valid UTF-8 sequences. Otherwise the legacy decoding with the largest share of
Vietnamese syllables wins when that share reaches :data:`MIN_SHARE` and no other comes
within :data:`MIN_MARGIN` of it.

Examples
--------
>>> is_syllable("Nghiêm"), is_syllable("Xuyên"), is_syllable("B¸t"), is_syllable("Baùt")
(True, True, False, False)
>>> found = detect(b"B\xb8t Tr\xb5ng, \xa7\xe5ng K\xfe, Ph\xf9 Kh\xaa")
>>> found.encoding, found.method, found.confidence
('tcvn3', 'detected', 1.0)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.vncodecs import TONES, canonical_name, decode

__all__ = [
    "LEGACY",
    "MIN_MARGIN",
    "MIN_SHARE",
    "Decoding",
    "decode_all",
    "detect",
    "given",
    "is_syllable",
    "judge",
    "syllable_share",
]

#: The legacy encodings tried when the bytes are not UTF-8, in order of preference on a tie.
LEGACY = ("cp1258", "tcvn3", "vni")
#: The share of words with diacritics that must read as Vietnamese syllables.
MIN_SHARE = 0.8
#: How far ahead of the next decoding the chosen one must be (else: ambiguous, refused).
MIN_MARGIN = 0.1
#: Names shown to users (proper names: the same in every language).
LABELS = {"utf-8": "UTF-8", "cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI"}

_INITIALS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
# Rhymes without their tone, grouped by vowel (the rhyme table of Vietnamese spelling,
# with the finals k of highland place names, Đắk Lắk, and the rare oong/ooc, xoong).
_RHYMES = """
a ai ao au ay am an ang anh ac ach ap at ak
ă ăm ăn ăng ăc ăp ăt ăk
â âu ây âm ân âng âc âp ât âk
e eo em en eng ec ep et ek
ê êu êm ên ênh êch êp êt êk
i ia iu im in inh ich ip it
iê iêu iêm iên iêng iêc iêp iêt
yê yêu yêm yên yêt
o oi om on ong oc op ot oong ooc ok
ô ôi ôm ôn ông ôc ôp ôt ôk
ơ ơi ơm ơn ơp ơt ơk
u ua ui um un ung uc up ut
uô uôi uôm uôn uông uôc uôt
ư ưa ưi ưu ưm ưn ưng ưc ưt ưk
ươ ươi ươu ươm ươn ương ươc ươp ươt
y
oa oai oao oay oam oan oang oanh oac oach oap oat
oă oăm oăn oăng oăc oăt
oe oeo oem oen oet
uâ uân uâng uât uây
uê uên uênh uêch uêt
uy uya uyu uyn uynh uych uyt uyp uyên uyêt
yt yn ynh ych yp yu
uơ
"""
_SYLLABLE = re.compile(
    rf"^(?:{_INITIALS})?(?:{'|'.join(sorted(_RHYMES.split(), key=len, reverse=True))})$"
)
_VOWELS = set("aăâeêioôơuưy")
# Words are runs between white space, ASCII punctuation and digits, and the typographic
# punctuation of Windows-1258 (quotes, dashes, ellipsis): mojibake symbols (¸ µ §) stay
# inside the word they broke.
_SEPARATORS = re.compile(
    r"[\s\x21-\x40\x5b-\x60\x7b-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022]+"
)


def is_syllable(word: str) -> bool:
    """Whether ``word`` is one Vietnamese syllable (any case, NFC or not).

    Examples
    --------
    >>> [is_syllable(w) for w in ("Đồng", "KỴ", "quyết", "giữa", "Hoà", "Hòa")]
    [True, True, True, True, True, True]
    >>> [is_syllable(w) for w in ("Trµng", "Tra\u00ecng", "hóá", "BÃ¡t", "Krông")]
    [False, False, False, False, False]
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [i for i, ch in enumerate(decomposed) if ch in TONES]
    if len(tones) > 1:
        return False
    if tones:
        before = unicodedata.normalize("NFC", decomposed[: tones[0]])
        if not before or before[-1] not in _VOWELS:
            return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES))
    return _SYLLABLE.match(bare) is not None


def _judged_words(text: str) -> list[str]:
    return [w for w in _SEPARATORS.split(text) if w and not w.isascii()]


def syllable_share(texts: Iterable[str]) -> tuple[float, int]:
    """The share of words with non-ASCII letters that are Vietnamese syllables, and their count.

    Each distinct word counts once (a file repeats its place names). ``(1.0, 0)`` when
    no word has a letter outside ASCII.

    Examples
    --------
    >>> syllable_share(["Bát Tràng", "Bát Tràng", "B¸t"])
    (0.6666666666666666, 3)
    """
    words = {w for t in texts for w in _judged_words(t)}
    if not words:
        return 1.0, 0
    return sum(map(is_syllable, words)) / len(words), len(words)


@dataclass(frozen=True)
class Decoding:
    """How a file's text was decoded.

    Parameters
    ----------
    encoding : str
        One of :data:`gis.vncodecs.CODECS`.
    method : {"ascii", "utf8", "detected", "given", "stated"}
        Why: no byte outside ASCII; valid UTF-8; the syllable test; ``--encoding``; the
        file's own code page (a Shapefile's ``.cpg``).
    confidence : float
        The share (0-1) of words with diacritics that read as Vietnamese syllables in
        this decoding (1 for ASCII and valid UTF-8).
    words : int
        How many distinct words with letters outside ASCII were judged.
    shares : dict
        The share of every decoding tried (``{}`` when none was judged).
    stated : str, optional
        What the file's code page said when it did not decide (``.cpg`` of ``1252``).
    """

    encoding: str
    method: str
    confidence: float = 1.0
    words: int = 0
    shares: dict[str, float] = field(default_factory=dict)
    stated: str | None = None

    @property
    def label(self) -> str:
        """The encoding's name as users know it (``Windows-1258``, ``TCVN3 (ABC)``...)."""
        return LABELS[self.encoding]

    def message(self) -> Message:
        """The report's line: which encoding, why, and how sure."""
        percent = round(100 * self.confidence)
        others = [
            msg("encoding.share", encoding=LABELS[e], percent=round(100 * s))
            for e, s in self.shares.items()
            if e != self.encoding
        ]
        if self.method == "detected":
            return msg(
                "encoding.detected",
                encoding=self.label,
                percent=percent,
                words=self.words,
                others=others or [msg("word.none")],
            )
        if self.method in ("given", "stated"):
            return msg(
                f"encoding.{self.method}", encoding=self.label, percent=percent, words=self.words
            )
        return msg(f"encoding.{self.method}", encoding=self.label)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the import report."""
        return {
            "encoding": self.encoding,
            "label": self.label,
            "method": self.method,
            "confidence": round(self.confidence, 3),
            "words": self.words,
            "shares": {e: round(s, 3) for e, s in self.shares.items()},
            "stated": self.stated,
        }


def given(name: str) -> str:
    """The canonical codec for an ``--encoding`` value.

    Raises
    ------
    ValidationError
        When the name is no encoding the imports read (``encoding.unknown``).
    """
    found = canonical_name(name)
    if found is None:
        raise ValidationError(
            msg("encoding.unknown", encoding=name, choices=["utf-8", "cp1258", "tcvn3", "vni"])
        )
    return found


def decode_all(data: bytes, encoding: str) -> str | None:
    """``data`` decoded, or ``None`` when a strict codec (UTF-8, Windows-1258) refuses it."""
    try:
        return decode(data, encoding)
    except UnicodeDecodeError:
        return None


def detect(data: bytes, *, what: str = "") -> Decoding:
    """Decide the encoding of a file's text (its lines, or its text cells and names).

    Parameters
    ----------
    data : bytes
        The raw text: a CSV's bytes, or a DBF's text cells and field names joined by
        new lines.
    what : str
        The file, named in the refusal.

    Returns
    -------
    Decoding

    Raises
    ------
    ValidationError
        When no decoding is plausible (``encoding.none_plausible``) or two are
        (``encoding.ambiguous``): the reason lists each decoding's share of syllables.
    """
    if data.isascii():
        return Decoding("utf-8", "ascii")
    if decode_all(data, "utf-8") is not None:
        return Decoding("utf-8", "utf8")
    judged: dict[str, tuple[float, int]] = {}
    for encoding in LEGACY:
        text = decode_all(data, encoding)
        if text is not None:
            judged[encoding] = syllable_share([text])
    ranked = sorted(judged.items(), key=lambda kv: -kv[1][0])
    found = [
        msg("encoding.share", encoding=LABELS[e], percent=round(100 * s)) for e, (s, _) in ranked
    ]
    words = max((n for _, n in judged.values()), default=0)
    if not ranked or ranked[0][1][0] < MIN_SHARE:
        raise ValidationError(
            msg(
                "encoding.none_plausible",
                path=what,
                words=words,
                shares=found or [msg("word.none")],
                minimum=round(100 * MIN_SHARE),
            )
        )
    best, (share, words) = ranked[0]
    if len(ranked) > 1 and ranked[1][1][0] > share - MIN_MARGIN:
        raise ValidationError(msg("encoding.ambiguous", path=what, words=words, shares=found[:2]))
    return Decoding(best, "detected", share, words, {e: s for e, (s, _) in judged.items()})


def judge(data: bytes, encoding: str, method: str, *, what: str = "") -> Decoding:
    """The :class:`Decoding` of text whose encoding was given or stated, with its share.

    Raises
    ------
    ValidationError
        When the bytes are not valid in that encoding (``encoding.invalid_bytes``).
    """
    text = decode_all(data, encoding)
    if text is None:
        raise ValidationError(msg("encoding.invalid_bytes", path=what, encoding=LABELS[encoding]))
    share, words = syllable_share([text])
    return Decoding(encoding, method, share, words)
