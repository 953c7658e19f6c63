"""ISO 11649 structured creditor references ("RF references") of orders.

An order's reference is "RF", two check digits (ISO 7064 MOD 97-10), then "SME" and the order id
padded to 8 digits: order 123 -> RF71SME00000123, printed as "RF71 SME0 0000 123". It is made from
the id alone, so it never changes and no two orders share one. A buyer's bank carries it to the
seller's bank statement, either as the structured reference of the transfer or somewhere in its
free text, where people write it with spaces, in lower case or across a line break.

Pure functions; python-stdnum does the checksum arithmetic."""
from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

PREFIX = "SME"
ID_DIGITS = 8
# ISO 11649: "RF", 2 check digits and 1 to 21 letters or digits.
MAX_LENGTH = 25
MAX_BODY = MAX_LENGTH - 4
# Free text longer than this is cut before it is searched (a camt.053 entry's remittance lines are
# 140 characters each, an MT940 :86: field at most 390), and at most this many references are returned.
MAX_SEARCH_LENGTH = 10_000
MAX_FOUND = 50

# "RF" then the check digits, each character maybe after a space.
_START = re.compile(r"RF\s?(\d)\s?(\d)")
# A piece of a reference: letters and digits, maybe after a space or a line break (at most three
# characters). Anything else ends the reference.
_PIECE = re.compile(r"\s{0,3}([A-Z0-9]+)")


def rf_reference_for_order(order_id: int) -> str:
    """The compact reference of an order, e.g. 123 -> "RF71SME00000123"."""
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id < 1:
        raise ValueError("An order id is a positive integer.")
    body = f"{PREFIX}{order_id:0{ID_DIGITS}d}"
    if len(body) > MAX_BODY:
        raise ValueError("The order id is too long for a creditor reference.")
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def rf_format(reference: str) -> str:
    """Groups of four characters for printing: "RF71SME00000123" -> "RF71 SME0 0000 123"."""
    return iso11649.format(reference)


def rf_normalize(text: str | None) -> str | None:
    """The compact upper-case reference when `text` is a valid one (spaces and lower case allowed),
    else None."""
    if not text or len(text) > MAX_LENGTH * 3:
        return None
    compact = "".join(str(text).split()).upper()
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", compact):
        return None
    return compact if iso11649.is_valid(compact) else None


def rf_find(text: str | None) -> list[str]:
    """Every valid RF reference in free text, compact and upper case, in the order they appear.

    A reference may be written in lower case and with single spaces or a line break between its
    characters ("payment for order rf71 sme0 0000 123, thanks"). Where the letters and digits after
    a reference's start can be read as references of several lengths (a reference followed by more
    words), each reading that passes the check digits is returned, longest first; the caller keeps
    the ones it issued. The text is cut at MAX_SEARCH_LENGTH characters and each start looks at most
    21 characters ahead, so the work is bounded."""
    if not text:
        return []
    upper = str(text)[:MAX_SEARCH_LENGTH].upper()
    found: list[str] = []
    for start in _START.finditer(upper):
        if start.start() > 0 and upper[start.start() - 1].isalnum() and upper[start.start() - 1].isascii():
            continue  # "SURF12..." or "...RF" inside a word
        head = f"RF{start.group(1)}{start.group(2)}"
        body, ends, position = "", [], start.end()
        while len(body) < MAX_BODY:
            piece = _PIECE.match(upper, position)
            if piece is None:
                break
            body += piece.group(1)
            ends.append(min(len(body), MAX_BODY))
            position = piece.end()
        # A reference also ends inside a piece when the piece runs past 21 characters.
        candidates = sorted({end for end in ends} | {min(len(body), MAX_BODY)}, reverse=True)
        for end in candidates:
            reference = head + body[:end]
            if len(reference) >= 5 and iso11649.is_valid(reference) and reference not in found:
                found.append(reference)
                if len(found) >= MAX_FOUND:
                    return found
    return found
