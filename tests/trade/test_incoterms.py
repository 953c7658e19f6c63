"""Who pays what under each Incoterms 2020 rule."""
from __future__ import annotations

import pytest

from marketplace.models import Incoterm
from trade.incoterms import COMPONENTS, PAYERS, payer

#          goods    shipping  insurance duty      vat
EXPECTED = {
    "EXW": ("buyer", "buyer", "buyer", "buyer", "buyer"),
    "FCA": ("buyer", "buyer", "buyer", "buyer", "buyer"),
    "FAS": ("buyer", "buyer", "buyer", "buyer", "buyer"),
    "FOB": ("buyer", "buyer", "buyer", "buyer", "buyer"),
    "CPT": ("buyer", "seller", "buyer", "buyer", "buyer"),
    "CFR": ("buyer", "seller", "buyer", "buyer", "buyer"),
    "CIP": ("buyer", "seller", "seller", "buyer", "buyer"),
    "CIF": ("buyer", "seller", "seller", "buyer", "buyer"),
    "DAP": ("buyer", "seller", "seller", "buyer", "buyer"),
    "DPU": ("buyer", "seller", "seller", "buyer", "buyer"),
    "DDP": ("buyer", "seller", "seller", "seller", "seller"),
}


def test_the_table_covers_exactly_the_eleven_rules_and_five_components():
    assert COMPONENTS == ("goods", "shipping", "insurance", "duty", "vat")
    assert sorted(PAYERS) == sorted(Incoterm.values) == sorted(EXPECTED)
    assert len(PAYERS) == 11
    assert all(tuple(rule) == COMPONENTS for rule in PAYERS.values())


@pytest.mark.parametrize("incoterm", sorted(EXPECTED))
def test_payer_of_every_component(incoterm):
    assert tuple(payer(incoterm, component) for component in COMPONENTS) == EXPECTED[incoterm]


def test_payer_accepts_the_choice_member():
    assert payer(Incoterm.DDP, "vat") == "seller"
    assert payer(Incoterm.FOB, "shipping") == "buyer"


@pytest.mark.parametrize(("incoterm", "component", "message"), [
    ("XYZ", "duty", "Unknown Incoterm: 'XYZ'"),
    ("fob", "duty", "Unknown Incoterm: 'fob'"),
    ("FOB", "handling", "Unknown cost component: 'handling'"),
])
def test_unknown_names_are_refused(incoterm, component, message):
    with pytest.raises(ValueError) as exc:
        payer(incoterm, component)
    assert str(exc.value) == message
