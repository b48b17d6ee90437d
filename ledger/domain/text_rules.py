"""Rules for text that enters the permanent public ledger (names, titles, reasons, comments)
and the look-alike check of the names of organizations and schools.

Pure. ``text_problem`` says what is wrong with a text or None; ``skeleton`` is the form two
names are compared in to find look-alikes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: Leading characters a spreadsheet runs as a formula when the text is exported.
FORMULA_LEADS = ("=", "+", "-", "@")

#: Common look-alikes of Latin letters (after NFKC and case folding, which already fold the
#: full-width forms): Cyrillic and Greek letters, and the digits 0 and 1. Its limits: it is
#: a small hand-made subset of Unicode's confusables.txt; it does not catch look-alikes
#: among CJK characters (己/已/巳, 土/士), mixed-script names that merely resemble each
#: other, or letters joined into others ("rn" for "m"); those stay for a person to judge.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t",
        "у": "y", "х": "x", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "σ": "o", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        # Digits and strokes read as letters
        "0": "o", "1": "l", "|": "l", "ı": "i",
    }
)  # fmt: skip


def text_problem(value: str, *, formula: bool = True) -> str | None:
    """What keeps ``value`` out of the ledger, or None: not in Unicode NFC, an invisible
    format character (bidi controls such as U+202E, zero-width characters such as U+200B and
    U+200D, U+FEFF), or, when ``formula``, a first character of ``FORMULA_LEADS``."""
    if unicodedata.normalize("NFC", value) != value:
        return "must be in Unicode normal form NFC (composed characters)"
    for character in value:
        if unicodedata.category(character) == "Cf":
            return (
                f"must not contain the invisible format character U+{ord(character):04X} "
                "(bidi controls and zero-width characters are refused)"
            )
    if formula and value.startswith(FORMULA_LEADS):
        return "must not start with =, +, - or @ (a spreadsheet would run it as a formula)"
    return None


def skeleton(name: str) -> str:
    """The form look-alike names share: NFKC, case-folded, Cyrillic, Greek and other
    look-alikes mapped to Latin letters, with spaces and punctuation left out."""
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_CONFUSABLES)
    kept = (c for c in unicodedata.normalize("NFD", folded) if unicodedata.category(c)[0] in "LN")
    return "".join(kept)


def look_alike(name: str, registered: Iterable[str]) -> str | None:
    """The first of ``registered`` whose skeleton is ``name``'s, or None."""
    mine = skeleton(name)
    return next((other for other in registered if skeleton(other) == mine), None)
