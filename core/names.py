"""Names people read as identities: company names and listing titles.

`name_normalise` is what is stored: NFKC form for company names (full-width and compatibility
letters become plain ones; listing titles keep theirs, NFC, so "m²" stays), without invisible characters (zero-width spaces and joiners, word joiner, byte-order mark),
without direction overrides and isolates (which can make a name read differently from how it is
stored), without other control characters, with runs of white space made one space. A name that is
empty once they are gone is refused.

`name_skeleton` is what two names are compared by: case folded, letters that look like Latin ones
(Cyrillic and Greek lookalikes, the digits 0 and 1) mapped to them, accents dropped, spaces and
punctuation dropped. Two names with the same skeleton look alike to a reader; that is a reason for
a moderator to look, not a proof of bad faith.
"""
from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Invisible characters that change nothing a reader sees.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
# Embeddings, overrides and isolates: they reorder what is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

_SPACES = re.compile(r"\s+")

# Lookalikes of Latin letters, as a reader sees them in a sans-serif font. Keys are case folded.
_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "һ": "h", "ӏ": "l", "ь": "b", "п": "n", "г": "r", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ζ": "z", "μ": "u", "ω": "w", "σ": "o", "ς": "c",
    # Latin letters that read as others
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h",
    # Digits read as letters
    "0": "o", "1": "l",
}
# Letters that read alike among themselves after the table: i, l and | are one stroke.
_STROKES = str.maketrans({"i": "l", "|": "l"})


def _is_dropped(char: str) -> bool:
    if char in ZERO_WIDTH or char in BIDI_CONTROLS:
        return True
    category = unicodedata.category(char)
    # Cc control characters (tab and newline become spaces first), Cf other format characters,
    # Co private use, Cs surrogates, Cn unassigned.
    return category in {"Cc", "Cf", "Co", "Cs", "Cn"}


def name_normalise(value: str, *, compatibility: bool = True) -> str:
    """The name as it is stored. Raises ValidationError when nothing visible is left. With
    `compatibility` off (listing titles) the text keeps its compatibility characters (NFC instead of
    NFKC), so "500 g/m²" stays as written; invisible, direction and control characters go either way."""
    text = unicodedata.normalize("NFKC" if compatibility else "NFC", str(value or ""))
    text = "".join(" " if char in "\t\n\r\x0b\x0c" else char for char in text)
    text = "".join(char for char in text if not _is_dropped(char))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise ValidationError(_("Enter a name with visible letters or digits."), code="blank_name")
    if not any(unicodedata.category(char)[0] in "LN" for char in text):
        raise ValidationError(_("Enter a name with visible letters or digits."), code="blank_name")
    return text


def name_skeleton(value: str) -> str:
    """What a name looks like: equal skeletons read alike."""
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    mapped = []
    for char in text:
        char = _HOMOGLYPHS.get(char, char)
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            part = _HOMOGLYPHS.get(part, part)
            if unicodedata.category(part)[0] in "LN":
                mapped.append(part)
    return "".join(mapped).translate(_STROKES)
