"""Parser of the ECB euro foreign exchange reference rates (the daily and the 90-day history feeds).

Both feeds share one shape:

    <gesmes:Envelope ...>
      <Cube>
        <Cube time="2025-04-24">
          <Cube currency="USD" rate="1.1376"/>
          ...

Each rate is units of the currency per 1 EUR. The parser runs expat directly and refuses any
document type declaration or entity declaration, so no entity is ever expanded or fetched."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.parsers import expat

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
MAX_RATE = Decimal("9999999999.99999999")  # what a Decimal(18, 8) column holds


class _Refused(Exception):
    pass


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def parse_ecb_xml(data: bytes) -> list[tuple[date, dict[str, Decimal]]]:
    """Returns [(day, {currency: rate per EUR})] in ascending date order.

    Raises ValueError on anything that is not a well-formed ECB rates document: a DOCTYPE or
    ENTITY declaration, broken XML, another root element, a bad date, currency or rate, a day
    given twice, a currency given twice for one day, or no rates at all."""
    if not isinstance(data, (bytes, bytearray)):
        raise ValueError("The ECB feed must be given as bytes.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("The ECB feed may not contain a DOCTYPE or ENTITY declaration.")

    days: dict[date, dict[str, Decimal]] = {}
    state: dict = {"root": None, "day": None}
    stack: list[str] = []

    def refuse(*_args) -> None:
        raise _Refused("The ECB feed may not contain a DOCTYPE or ENTITY declaration.")

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if state["root"] is None:
            state["root"] = local
            if local != "Envelope":
                raise ValueError(f"Expected a gesmes:Envelope root element, got {local!r}.")
        kind = "other"
        if local == "Cube" and "time" in attrs:
            if state["day"] is not None:
                raise ValueError("A dated Cube element appears inside another one.")
            day = _parse_day(attrs["time"])
            if day in days:
                raise ValueError(f"The day {day.isoformat()} appears twice.")
            days[day] = {}
            state["day"] = day
            kind = "day"
        elif local == "Cube" and ("currency" in attrs or "rate" in attrs):
            if state["day"] is None:
                raise ValueError("A rate appears outside a dated Cube element.")
            currency, rate = _parse_rate(attrs)
            rates = days[state["day"]]
            if currency in rates:
                raise ValueError(f"{currency} appears twice on {state['day'].isoformat()}.")
            rates[currency] = rate
        stack.append(kind)

    def end(_name: str) -> None:
        if stack.pop() == "day":
            state["day"] = None

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(bytes(data), True)
    except _Refused as exc:
        raise ValueError(str(exc)) from None
    except expat.ExpatError as exc:
        raise ValueError(f"The ECB feed is not well-formed XML: {exc}.") from None

    if not days:
        raise ValueError("The ECB feed holds no dated rates.")
    empty = sorted(day.isoformat() for day, rates in days.items() if not rates)
    if empty:
        raise ValueError(f"The ECB feed holds no rates for {', '.join(empty)}.")
    return sorted(days.items())


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD).") from None


def _parse_rate(attrs: dict[str, str]) -> tuple[str, Decimal]:
    currency = attrs.get("currency", "").strip()
    if not CURRENCY_RE.match(currency):
        raise ValueError(f"{currency!r} is not a three-letter currency code.")
    if currency == "EUR":
        raise ValueError("EUR cannot have a rate against itself.")
    text = attrs.get("rate", "").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"The rate {text!r} of {currency} is not a number.") from None
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
        raise ValueError(f"The rate {text!r} of {currency} is out of range.")
    if rate != rate.quantize(Decimal("1e-8")):
        raise ValueError(f"The rate {text!r} of {currency} has more than 8 decimal places.")
    return currency, rate
