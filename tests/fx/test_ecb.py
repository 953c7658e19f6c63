"""The ECB feed parser on the stored samples, on hand-written feeds and on hostile or broken input."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fx.ecb import parse_ecb_xml
from fx.shipped import FIXTURES_DIR

ECB_CURRENCIES = ["USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK", "NOK", "TRY",
                  "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD", "PHP", "SGD",
                  "THB", "ZAR"]

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        '<gesmes:subject>Reference rates</gesmes:subject>')
TAIL = "</gesmes:Envelope>"


def feed(cubes: str) -> bytes:
    return (HEAD + cubes + TAIL).encode()


def test_daily_sample():
    days = parse_ecb_xml((FIXTURES_DIR / "eurofxref-daily-sample.xml").read_bytes())

    assert [day for day, _rates in days] == [date(2025, 4, 24)]
    rates = days[0][1]
    assert list(rates) == ECB_CURRENCIES
    assert rates["USD"] == Decimal("1.1376")
    assert rates["JPY"] == Decimal("162.21")
    assert rates["BGN"] == Decimal("1.9558")
    assert rates["GBP"] == Decimal("0.85478")
    assert rates["TRY"] == Decimal("43.6932")
    assert rates["CNY"] == Decimal("8.2927")
    assert rates["IDR"] == Decimal("19145.93")
    assert all(isinstance(rate, Decimal) for rate in rates.values())


def test_history_sample_is_returned_oldest_first():
    days = parse_ecb_xml((FIXTURES_DIR / "eurofxref-hist-90d-sample.xml").read_bytes())

    assert [day for day, _rates in days] == [date(2025, 4, 15), date(2025, 4, 16), date(2025, 4, 17),
                                             date(2025, 4, 22), date(2025, 4, 23)]
    assert [len(rates) for _day, rates in days] == [30, 30, 30, 30, 30]
    assert all(list(rates) == ECB_CURRENCIES for _day, rates in days)
    by_day = dict(days)
    assert by_day[date(2025, 4, 23)]["USD"] == Decimal("1.1352")
    assert by_day[date(2025, 4, 17)]["USD"] == Decimal("1.1336")
    assert by_day[date(2025, 4, 15)]["TRY"] == Decimal("43.2791")
    assert by_day[date(2025, 4, 15)]["CNY"] == Decimal("8.4012")
    assert by_day[date(2025, 4, 22)]["BGN"] == Decimal("1.9558")


def test_a_hand_written_feed_with_single_quotes_and_whitespace():
    data = feed("<Cube>\n  <Cube time='2025-01-02'>\n    <Cube currency='USD' rate=' 1.0321 '/>\n"
                "    <Cube currency='JPY' rate='163.1'/>\n  </Cube>\n</Cube>")

    assert parse_ecb_xml(data) == [(date(2025, 1, 2), {"USD": Decimal("1.0321"), "JPY": Decimal("163.1")})]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The ECB feed is not well-formed XML: no element found: line 1, column 0."),
    (b"not xml at all", "The ECB feed is not well-formed XML: syntax error: line 1, column 0."),
    (b'<Envelope><Cube time="2025-01-02">', "The ECB feed is not well-formed XML: no element found: line 1, column 34."),
    (b"<Envelope><Cube></Envelope>", "The ECB feed is not well-formed XML: mismatched tag: line 1, column 18."),
    (b"<html><body>Service unavailable</body></html>", "Expected a gesmes:Envelope root element, got 'html'."),
    (feed(""), "The ECB feed holds no dated rates."),
    (feed("<Cube><Cube time='2025-01-02'></Cube></Cube>"), "The ECB feed holds no rates for 2025-01-02."),
    (feed("<Cube><Cube time='2025-13-02'><Cube currency='USD' rate='1.03'/></Cube></Cube>"),
     "'2025-13-02' is not a date (YYYY-MM-DD)."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='abc'/></Cube></Cube>"),
     "The rate 'abc' of USD is not a number."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD'/></Cube></Cube>"),
     "The rate '' of USD is not a number."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='-1.03'/></Cube></Cube>"),
     "The rate '-1.03' of USD is out of range."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='0'/></Cube></Cube>"),
     "The rate '0' of USD is out of range."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='NaN'/></Cube></Cube>"),
     "The rate 'NaN' of USD is out of range."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='1.123456789'/></Cube></Cube>"),
     "The rate '1.123456789' of USD has more than 8 decimal places."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='usd' rate='1.03'/></Cube></Cube>"),
     "'usd' is not a three-letter currency code."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='EUR' rate='1'/></Cube></Cube>"),
     "EUR cannot have a rate against itself."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='1.03'/><Cube currency='USD' rate='1.04'/>"
          "</Cube></Cube>"), "USD appears twice on 2025-01-02."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='1.03'/></Cube>"
          "<Cube time='2025-01-02'><Cube currency='USD' rate='1.03'/></Cube></Cube>"), "The day 2025-01-02 appears twice."),
    (feed("<Cube><Cube currency='USD' rate='1.03'/></Cube>"), "A rate appears outside a dated Cube element."),
    (feed("<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='1.03'/></Cube>"
          "<Cube currency='JPY' rate='160'/></Cube>"), "A rate appears outside a dated Cube element."),
])
def test_malformed_input_is_refused_with_a_clear_error(data, message):
    with pytest.raises(ValueError) as excinfo:
        parse_ecb_xml(data)

    assert str(excinfo.value) == message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"><Cube><Cube time="2025-01-02">
<Cube currency="USD" rate="1.03"/><x>&lol3;</x></Cube></Cube></gesmes:Envelope>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"><Cube><Cube time="2025-01-02">
<Cube currency="USD" rate="1.03"/><x>&secret;</x></Cube></Cube></gesmes:Envelope>"""

REFUSED = "The ECB feed may not contain a DOCTYPE or ENTITY declaration."


@pytest.mark.parametrize("data", [
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    b'<!DOCTYPE gesmes:Envelope SYSTEM "http://example.com/feed.dtd">' + feed("")[38:],
    BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    .encode("utf-16"),
], ids=["entity-expansion", "external-entity", "external-dtd", "utf-16-doctype"])
def test_doctype_and_entity_declarations_are_refused(data):
    with pytest.raises(ValueError) as excinfo:
        parse_ecb_xml(data)

    assert str(excinfo.value) == REFUSED


def test_input_must_be_bytes():
    with pytest.raises(ValueError) as excinfo:
        parse_ecb_xml(HEAD + TAIL)

    assert str(excinfo.value) == "The ECB feed must be given as bytes."
