"""Who pays what under each Incoterms 2020 rule, kept as data, with one pure look-up.

Components of a landed cost: the goods themselves, the main carriage to the destination ("shipping"),
cargo insurance during that carriage, import duty and import VAT. The buyer always pays for the goods.
Main carriage is the buyer's under the E and F rules and the seller's under the C and D rules.
Insurance is the seller's where the seller must buy it (CIF, CIP) or carries the risk during the main
carriage (DAP, DPU, DDP), otherwise the buyer's. Import clearance, duty and VAT are the buyer's except
under DDP."""
from __future__ import annotations

from typing import Literal

Party = Literal["buyer", "seller"]
BUYER: Party = "buyer"
SELLER: Party = "seller"

GOODS = "goods"
SHIPPING = "shipping"
INSURANCE = "insurance"
DUTY = "duty"
VAT = "vat"
COMPONENTS: tuple[str, ...] = (GOODS, SHIPPING, INSURANCE, DUTY, VAT)


def _rule(shipping: Party, insurance: Party, duty: Party, vat: Party) -> dict[str, Party]:
    return {GOODS: BUYER, SHIPPING: shipping, INSURANCE: insurance, DUTY: duty, VAT: vat}


PAYERS: dict[str, dict[str, Party]] = {
    "EXW": _rule(shipping=BUYER, insurance=BUYER, duty=BUYER, vat=BUYER),
    "FCA": _rule(shipping=BUYER, insurance=BUYER, duty=BUYER, vat=BUYER),
    "FAS": _rule(shipping=BUYER, insurance=BUYER, duty=BUYER, vat=BUYER),
    "FOB": _rule(shipping=BUYER, insurance=BUYER, duty=BUYER, vat=BUYER),
    "CPT": _rule(shipping=SELLER, insurance=BUYER, duty=BUYER, vat=BUYER),
    "CFR": _rule(shipping=SELLER, insurance=BUYER, duty=BUYER, vat=BUYER),
    "CIP": _rule(shipping=SELLER, insurance=SELLER, duty=BUYER, vat=BUYER),
    "CIF": _rule(shipping=SELLER, insurance=SELLER, duty=BUYER, vat=BUYER),
    "DAP": _rule(shipping=SELLER, insurance=SELLER, duty=BUYER, vat=BUYER),
    "DPU": _rule(shipping=SELLER, insurance=SELLER, duty=BUYER, vat=BUYER),
    "DDP": _rule(shipping=SELLER, insurance=SELLER, duty=SELLER, vat=SELLER),
}

# Rules under which the seller must buy cargo insurance, so the estimate includes a premium.
INSURANCE_REQUIRED: frozenset[str] = frozenset({"CIF", "CIP"})


def payer(incoterm: str, component: str) -> Party:
    """"buyer" or "seller": who pays `component` under `incoterm`. ValueError for unknown names."""
    rule = PAYERS.get(str(incoterm))
    if rule is None:
        raise ValueError(f"Unknown Incoterm: {incoterm!r}")
    if component not in rule:
        raise ValueError(f"Unknown cost component: {component!r}")
    return rule[component]
