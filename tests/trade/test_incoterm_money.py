"""Who pays whom under each Incoterms 2020 rule, and the two sums of an order: the seller's invoice and
the buyer's costs paid to others. The expected tables are written here, independently of the code."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from marketplace.models import Incoterm
from trade import incoterms
from trade.incoterms import OBLIGATION_NAMES, OBLIGATIONS, obligation_payer, paid_to, payee, split

B, S = "buyer", "seller"

#            export  carriage  insurance  import clearance  duty  VAT
OBLIGATION_TABLE = {
    "EXW": (B, B, B, B, B, B),
    "FCA": (S, B, B, B, B, B),
    "FAS": (S, B, B, B, B, B),
    "FOB": (S, B, B, B, B, B),
    "CPT": (S, S, B, B, B, B),
    "CFR": (S, S, B, B, B, B),
    "CIP": (S, S, S, B, B, B),
    "CIF": (S, S, S, B, B, B),
    "DAP": (S, S, S, B, B, B),
    "DPU": (S, S, S, B, B, B),
    "DDP": (S, S, S, S, S, S),
}

# One basket under every rule: goods 3750.00, carriage 400.00, insurance 18.75, duty 594.00, VAT 1053.36
# (all in the seller's currency). Expected: (invoice total payable to the seller, the buyer's estimated
# costs paid to others); their sum is always the landed cost 5816.11.
AMOUNTS = {"goods": D("3750.00"), "shipping": D("400.00"), "insurance": D("18.75"), "duty": D("594.00"),
           "vat": D("1053.36")}
SPLIT_TABLE = {
    "EXW": (D("3750.00"), D("2066.11")),
    "FCA": (D("3750.00"), D("2066.11")),
    "FAS": (D("3750.00"), D("2066.11")),
    "FOB": (D("3750.00"), D("2066.11")),
    "CPT": (D("4150.00"), D("1666.11")),
    "CFR": (D("4150.00"), D("1666.11")),
    "CIP": (D("4168.75"), D("1647.36")),
    "CIF": (D("4168.75"), D("1647.36")),
    "DAP": (D("4168.75"), D("1647.36")),
    "DPU": (D("4168.75"), D("1647.36")),
    "DDP": (D("5816.11"), D("0.00")),
}

# Who receives each component's money under the rule (goods, shipping, insurance, duty, VAT).
PAYEE_TABLE = {
    "EXW": ("seller", "carrier", "insurer", "customs", "customs"),
    "FOB": ("seller", "carrier", "insurer", "customs", "customs"),
    "CFR": ("seller", "seller", "insurer", "customs", "customs"),
    "CIF": ("seller", "seller", "seller", "customs", "customs"),
    "DAP": ("seller", "seller", "seller", "customs", "customs"),
    "DDP": ("seller", "seller", "seller", "seller", "seller"),
}


def test_the_table_has_the_eleven_rules_and_six_obligations():
    assert sorted(OBLIGATIONS) == sorted(Incoterm.values) == sorted(OBLIGATION_TABLE)
    assert OBLIGATION_NAMES == ("export_clearance", "main_carriage", "insurance", "import_clearance", "import_duty",
                                "import_vat")
    assert all(tuple(rule) == OBLIGATION_NAMES for rule in OBLIGATIONS.values())


@pytest.mark.parametrize("incoterm", sorted(OBLIGATION_TABLE))
def test_who_pays_each_obligation(incoterm):
    assert tuple(obligation_payer(incoterm, name) for name in OBLIGATION_NAMES) == OBLIGATION_TABLE[incoterm]


@pytest.mark.parametrize("incoterm", sorted(SPLIT_TABLE))
def test_invoice_and_other_costs_under_every_rule(incoterm):
    result = split(incoterms.PAYERS[incoterm], AMOUNTS)
    assert (result.invoice_total, result.buyer_other_costs) == SPLIT_TABLE[incoterm]
    assert result.landed_cost == D("5816.11")


def test_dap_to_germany_puts_duty_and_vat_outside_the_invoice():
    # The case the old code got wrong: goods 3750 TRY, no carriage priced, duty 594, import VAT 1053.36.
    # Under DAP the buyer pays duty and VAT to customs, so the seller invoices 3750.00, not 5397.36.
    amounts = {"goods": D("3750.00"), "shipping": D("0.00"), "insurance": D("0.00"), "duty": D("594.00"),
               "vat": D("1053.36")}
    result = split(incoterms.PAYERS["DAP"], amounts)
    assert (result.invoice_total, result.buyer_other_costs, result.landed_cost) == (
        D("3750.00"), D("1647.36"), D("5397.36"))


@pytest.mark.parametrize("incoterm", sorted(PAYEE_TABLE))
def test_who_receives_the_money(incoterm):
    assert tuple(paid_to(incoterms.PAYERS[incoterm]).values()) == PAYEE_TABLE[incoterm]


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="Unknown Incoterm: 'XYZ'"):
        obligation_payer("XYZ", "import_duty")
    with pytest.raises(ValueError, match="Unknown obligation: 'unloading'"):
        obligation_payer("DAP", "unloading")
    with pytest.raises(ValueError, match="Unknown cost component: 'handling'"):
        payee("handling", "buyer")
