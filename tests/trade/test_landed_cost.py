"""Landed-cost estimates computed by hand, duty rate look-up, VAT, rounding and the query count.

Tables (see the `tables` and `zones` fixtures): duty DE 4 % by default and 12 % for chapter 61,
US 3 % by default and 0 % for chapter 09, none for FR and JP; VAT DE 19 %, FR 20 %, none for the US
and JP. Seller A (TRY) ships to DE/FR at 50.00 up to 10 kg, 200.00 up to 100 kg, 600.00 up to
500 kg, and to the US at 900.00 up to 1000 kg. Insurance is 0.5 % of the goods under CIF and CIP only.
Customs value = goods + their share (by value) of shipping and insurance."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from trade.models import DutyRate, VatRate
from trade.selectors import DutyLine, LandedCost, LineInput, landed_cost_estimate

pytestmark = pytest.mark.django_db

TSHIRTS = "610910"   # chapter 61: DE 12 %
PHONES = "851762"    # chapter 85: no chapter row, DE default 4 %
TOWELS = "630231"    # chapter 63: no chapter row, US default 3 %
COFFEE = "090111"    # chapter 09: US 0 %
FURNITURE = "940360"


def estimate(company, country, incoterm, *lines):
    return landed_cost_estimate(seller=company, destination_country=country, incoterm=incoterm,
                                lines=[LineInput(hs_code=h, goods_value=D(v), weight_kg=D(w)) for h, v, w in lines])


def test_fob_to_germany(company_a, zones):
    # 1000.00 of T-shirts, 40 kg -> band up to 100 kg: shipping 200.00; FOB: no insurance.
    # Customs value 1000 + 200 = 1200.00; duty 12 % (chapter 61) = 144.00;
    # VAT 19 % of (1200 + 144) = 255.36; total 1000 + 200 + 0 + 144 + 255.36 = 1599.36.
    # FOB: the buyer pays the main carriage, duty and VAT, so everything.
    result = estimate(company_a, "DE", "FOB", (TSHIRTS, "1000.00", "40"))
    assert result == LandedCost(
        currency="TRY", destination_country="DE", incoterm="FOB", weight_kg=D("40"),
        goods=D("1000.00"), shipping=D("200.00"), insurance=D("0.00"), duty=D("144.00"), vat=D("255.36"),
        total=D("1599.36"), invoice_total=D("1000.00"), buyer_other_costs=D("599.36"),
        payer={"goods": "buyer", "shipping": "buyer", "insurance": "buyer", "duty": "buyer", "vat": "buyer"},
        vat_rate_percent=D("19"), insurance_rate_percent=D("0"),
        duty_lines=(DutyLine(hs_code=TSHIRTS, hs_chapter="61", goods_value=D("1000.00"), customs_value=D("1200.00"),
                             rate_percent=D("12"), rate_basis="chapter", duty=D("144.00")),))


def test_cif_to_germany_with_two_lines(company_a, zones):
    # T-shirts 1000.00 / 40 kg and phones 500.00 / 20 kg: 60 kg -> shipping 200.00.
    # Insurance 0.5 % of 1500.00 = 7.50. Shipping + insurance 207.50 shared by value 2:1:
    #   T-shirts customs value 1000 + 138.333... = 1138.333..., duty 12 % = 136.60
    #   phones   customs value  500 +  69.166... =  569.166..., duty  4 % =  22.7666...
    # duty = 159.3666... -> 159.37; VAT 19 % of (1500 + 200 + 7.50 + 159.37 = 1866.87) = 354.7053 -> 354.71;
    # total 1500 + 200 + 7.50 + 159.37 + 354.71 = 2221.58.
    # CIF: the seller pays shipping and insurance (207.50); the buyer goods, duty and VAT (2014.08).
    result = estimate(company_a, "DE", "CIF", (TSHIRTS, "1000.00", "40"), (PHONES, "500.00", "20"))
    assert (result.goods, result.shipping, result.insurance, result.duty, result.vat, result.total) == (
        D("1500.00"), D("200.00"), D("7.50"), D("159.37"), D("354.71"), D("2221.58"))
    # The invoice carries goods, shipping and insurance; the buyer pays duty and VAT to customs.
    assert (result.invoice_total, result.buyer_other_costs) == (D("1707.50"), D("514.08"))
    assert result.payer == {"goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "buyer",
                            "vat": "buyer"}
    assert result.insurance_rate_percent == D("0.5")
    assert result.weight_kg == D("60")
    assert result.duty_lines == (
        DutyLine(hs_code=TSHIRTS, hs_chapter="61", goods_value=D("1000.00"), customs_value=D("1138.33"),
                 rate_percent=D("12"), rate_basis="chapter", duty=D("136.60")),
        DutyLine(hs_code=PHONES, hs_chapter="85", goods_value=D("500.00"), customs_value=D("569.17"),
                 rate_percent=D("4"), rate_basis="country_default", duty=D("22.77")),
    )


def test_dap_to_the_united_states_without_a_vat_row(company_a, zones):
    # Towels 2000.00 / 250 kg -> US band up to 1000 kg: 900.00; DAP: no insurance premium.
    # Customs value 2900.00; duty: no chapter 63 row, US default 3 % = 87.00; no US VAT row -> 0.00.
    # Total 2000 + 900 + 87 = 2987.00. DAP: the seller pays the carriage (900.00), the buyer the
    # goods and the duty (2087.00).
    result = estimate(company_a, "US", "DAP", (TOWELS, "2000.00", "250"))
    assert (result.goods, result.shipping, result.insurance, result.duty, result.vat, result.total) == (
        D("2000.00"), D("900.00"), D("0.00"), D("87.00"), D("0.00"), D("2987.00"))
    assert (result.invoice_total, result.buyer_other_costs) == (D("2900.00"), D("87.00"))
    assert result.vat_rate_percent == D("0")
    assert result.payer == {"goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "buyer",
                            "vat": "buyer"}
    assert [(line.rate_percent, line.rate_basis) for line in result.duty_lines] == [(D("3"), "country_default")]


def test_ddp_to_germany_at_the_exact_band_limit(company_a, zones):
    # Phones 333.33 / exactly 10 kg -> the 10 kg band: 50.00 (a band includes its limit).
    # Customs value 383.33; duty 4 % = 15.3332 -> 15.33; VAT 19 % of (333.33 + 50 + 15.33 = 398.66)
    # = 75.7454 -> 75.75; total 333.33 + 50 + 15.33 + 75.75 = 474.41.
    # DDP: the buyer pays only the goods (333.33); the seller shipping, duty and VAT (141.08).
    result = estimate(company_a, "DE", "DDP", (PHONES, "333.33", "10"))
    assert (result.goods, result.shipping, result.insurance, result.duty, result.vat, result.total) == (
        D("333.33"), D("50.00"), D("0.00"), D("15.33"), D("75.75"), D("474.41"))
    assert (result.invoice_total, result.buyer_other_costs) == (D("474.41"), D("0.00"))
    assert result.payer == {"goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "seller",
                            "vat": "seller"}


def test_exw_to_france_without_duty_rows(company_a, zones):
    # Furniture 250.25 / 5 kg -> 50.00. No FR duty row at all -> duty 0.00 (basis "none").
    # VAT 20 % of (250.25 + 50) = 60.05; total 360.30, all paid by the buyer under EXW.
    result = estimate(company_a, "FR", "EXW", (FURNITURE, "250.25", "5"))
    assert (result.goods, result.shipping, result.insurance, result.duty, result.vat, result.total) == (
        D("250.25"), D("50.00"), D("0.00"), D("0.00"), D("60.05"), D("360.30"))
    assert (result.invoice_total, result.buyer_other_costs) == (D("250.25"), D("110.05"))
    assert result.duty_lines == (DutyLine(hs_code=FURNITURE, hs_chapter="94", goods_value=D("250.25"),
                                          customs_value=D("300.25"), rate_percent=D("0"), rate_basis="none",
                                          duty=D("0.00")),)


def test_cip_has_the_insurance_premium_and_cfr_has_none(company_a, zones):
    # 1000.00 to FR, 1 kg -> 50.00. CIP: insurance 5.00, VAT 20 % of 1055.00 = 211.00, total 1266.00.
    # CFR: no insurance, VAT 20 % of 1050.00 = 210.00, total 1260.00.
    cip = estimate(company_a, "FR", "CIP", (FURNITURE, "1000.00", "1"))
    cfr = estimate(company_a, "FR", "CFR", (FURNITURE, "1000.00", "1"))
    assert (cip.insurance, cip.vat, cip.total, cip.invoice_total) == (D("5.00"), D("211.00"), D("1266.00"), D("1055.00"))
    assert (cfr.insurance, cfr.vat, cfr.total, cfr.invoice_total) == (D("0.00"), D("210.00"), D("1260.00"), D("1050.00"))


def test_amounts_are_rounded_half_up(company_a, zones):
    # FR default duty 5 %: goods 0.10 / 1 kg + shipping 50.00 -> customs value 50.10, duty 2.505 -> 2.51
    # (half-even would give 2.50). VAT 20 % of (0.10 + 50 + 2.51 = 52.61) = 10.522 -> 10.52; total 63.13.
    DutyRate.objects.create(destination_country="FR", hs_chapter="", rate_percent=D("5"))
    result = estimate(company_a, "FR", "EXW", (FURNITURE, "0.10", "1"))
    assert (result.duty, result.vat, result.total) == (D("2.51"), D("10.52"), D("63.13"))


def test_a_chapter_rate_of_zero_wins_over_the_country_default(company_a, zones):
    # Coffee to the US: chapter 09 is 0 % although the US default is 3 %. 100.00 + 900.00 shipping.
    coffee = estimate(company_a, "US", "FOB", (COFFEE, "100.00", "1"))
    towels = estimate(company_a, "US", "FOB", (TOWELS, "100.00", "1"))
    assert (coffee.duty, coffee.duty_lines[0].rate_basis, coffee.duty_lines[0].rate_percent) == (
        D("0.00"), "chapter", D("0"))
    assert (towels.duty, towels.duty_lines[0].rate_basis) == (D("30.00"), "country_default")


def test_no_vat_row_means_no_vat_until_one_is_added(company_a, zones):
    before = estimate(company_a, "US", "FOB", (TOWELS, "100.00", "1"))
    VatRate.objects.create(country="US", rate_percent=D("10"))
    after = estimate(company_a, "US", "FOB", (TOWELS, "100.00", "1"))
    # 100 + 900 + duty 30.00 = 1030.00; 10 % = 103.00.
    assert (before.vat, after.vat, after.total) == (D("0.00"), D("103.00"), D("1133.00"))


def test_goods_without_value_share_the_freight_equally(company_a, zones):
    # Two free samples to DE, 1 kg each -> 50.00 shared 25/25; duty 12 % of 25 + 4 % of 25 = 3.00 + 1.00.
    result = estimate(company_a, "DE", "FOB", (TSHIRTS, "0", "1"), (PHONES, "0", "1"))
    assert [line.customs_value for line in result.duty_lines] == [D("25.00"), D("25.00")]
    assert result.duty == D("4.00")


def test_the_estimate_is_deterministic(company_a, zones):
    lines = [(TSHIRTS, "1000.00", "40"), (PHONES, "500.00", "20")]
    assert estimate(company_a, "DE", "CIF", *lines) == estimate(company_a, "DE", "CIF", *lines)


def test_query_count_does_not_grow_with_the_number_of_lines(company_a, zones):
    one = [(TSHIRTS, "10.00", "1")]
    twenty = [(f"{chapter:02d}0110", "10.00", "1") for chapter in range(1, 21)]
    with CaptureQueriesContext(connection) as first:
        estimate(company_a, "DE", "CIF", *one)
    with CaptureQueriesContext(connection) as second:
        result = estimate(company_a, "DE", "CIF", *twenty)
    assert len(first) == len(second) == 4  # restrictions, shipping bands, duty rates, VAT rate
    assert len(result.duty_lines) == 20


@pytest.mark.parametrize(("country", "incoterm", "lines", "code", "fields"), [
    ("ZZ", "FOB", [(TSHIRTS, "1", "1")], "validation_error",
     {"destination_country": ["ZZ is not an ISO 3166 country code."]}),
    ("DE", "XYZ", [(TSHIRTS, "1", "1")], "validation_error", {"incoterm": ["XYZ is not an Incoterms 2020 rule."]}),
    ("DE", "FOB", [], "validation_error", {"lines": ["Give at least one line."]}),
    ("DE", "FOB", [("6109", "1", "1")], "validation_error", {"lines": ["An HS code has exactly 6 digits."]}),
    ("DE", "FOB", [(TSHIRTS, "-1", "1")], "validation_error", {"lines": ["Enter a number of at least 0."]}),
    ("JP", "FOB", [(TSHIRTS, "1", "1")], "no_shipping",
     {"destination_country": ["Alpha Textiles does not ship to Japan."]}),
])
def test_bad_input(company_a, zones, country, incoterm, lines, code, fields):
    with pytest.raises(ApplicationError) as exc:
        estimate(company_a, country, incoterm, *lines)
    assert (exc.value.code, exc.value.fields, exc.value.status_code) == (code, fields, 400)


def test_the_incoterm_and_country_are_normalised(company_a, zones):
    result = estimate(company_a, " de ", "fob", (TSHIRTS, "1000.00", "40"))
    assert (result.destination_country, result.incoterm, result.total) == ("DE", "FOB", D("1599.36"))
