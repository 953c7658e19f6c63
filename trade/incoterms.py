"""Who pays what, and to whom, under each Incoterms 2020 rule, kept as data, with pure look-ups.

The table (OBLIGATIONS) names, for each of the 11 rules, who pays each cost of moving goods across a
border: export clearance, the main carriage, cargo insurance, import clearance, import duty and import
VAT. The sources are the rules' own allocation of costs:
- E rule (EXW): the buyer does everything from the seller's premises on, export clearance included.
- F rules (FCA, FAS, FOB): the seller clears the goods for export; the buyer pays the main carriage.
- C rules (CPT, CFR, CIP, CIF): the seller pays the main carriage; under CIP and CIF the seller must also
  buy cargo insurance. Under CPT and CFR the risk passes at shipment, so insurance is the buyer's.
- D rules (DAP, DPU, DDP): the seller delivers at the destination and carries the risk until then, so it
  pays carriage and insurance; import clearance, duty and VAT are the buyer's except under DDP.

A cost the seller pays is part of the seller's price: the seller invoices the buyer for it. A cost the
buyer pays goes to someone else: the carrier, the insurer, customs (PAYEES). So every order has two
sums: the seller's invoice total (goods plus what the seller arranges) and the buyer's estimated costs
paid to others; the landed cost is their sum (`split`).

The landed-cost estimate prices four of the obligations (COMPONENT_OBLIGATION): main carriage
("shipping"), insurance, import duty and import VAT. Export and import clearance fees are not estimated;
the table still says who pays them."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Mapping

Party = Literal["buyer", "seller"]
BUYER: Party = "buyer"
SELLER: Party = "seller"

# The obligations of the table, in the order goods meet them.
EXPORT_CLEARANCE = "export_clearance"
MAIN_CARRIAGE = "main_carriage"
CARGO_INSURANCE = "insurance"
IMPORT_CLEARANCE = "import_clearance"
IMPORT_DUTY = "import_duty"
IMPORT_VAT = "import_vat"
OBLIGATION_NAMES: tuple[str, ...] = (EXPORT_CLEARANCE, MAIN_CARRIAGE, CARGO_INSURANCE, IMPORT_CLEARANCE,
                                     IMPORT_DUTY, IMPORT_VAT)

# Who is paid for each obligation when the buyer pays it (when the seller pays, the seller pays them
# and charges the buyer on its invoice).
EXPORT_AUTHORITIES = "export_customs"
CARRIER = "carrier"
INSURER = "insurer"
CUSTOMS_BROKER = "customs_broker"
CUSTOMS = "customs"
PAYEES: dict[str, str] = {
    EXPORT_CLEARANCE: EXPORT_AUTHORITIES,
    MAIN_CARRIAGE: CARRIER,
    CARGO_INSURANCE: INSURER,
    IMPORT_CLEARANCE: CUSTOMS_BROKER,
    IMPORT_DUTY: CUSTOMS,
    IMPORT_VAT: CUSTOMS,
}


def _rule(export: Party, carriage: Party, insurance: Party, clearance: Party, duty: Party,
          vat: Party) -> dict[str, Party]:
    return {EXPORT_CLEARANCE: export, MAIN_CARRIAGE: carriage, CARGO_INSURANCE: insurance,
            IMPORT_CLEARANCE: clearance, IMPORT_DUTY: duty, IMPORT_VAT: vat}


B, S = BUYER, SELLER
OBLIGATIONS: dict[str, dict[str, Party]] = {
    #                export carriage insurance clearance duty vat
    "EXW": _rule(B, B, B, B, B, B),
    "FCA": _rule(S, B, B, B, B, B),
    "FAS": _rule(S, B, B, B, B, B),
    "FOB": _rule(S, B, B, B, B, B),
    "CPT": _rule(S, S, B, B, B, B),
    "CFR": _rule(S, S, B, B, B, B),
    "CIP": _rule(S, S, S, B, B, B),
    "CIF": _rule(S, S, S, B, B, B),
    "DAP": _rule(S, S, S, B, B, B),
    "DPU": _rule(S, S, S, B, B, B),
    "DDP": _rule(S, S, S, S, S, S),
}

# The components of a landed-cost estimate and the obligation each prices.
GOODS = "goods"
SHIPPING = "shipping"
INSURANCE = "insurance"
DUTY = "duty"
VAT = "vat"
COMPONENTS: tuple[str, ...] = (GOODS, SHIPPING, INSURANCE, DUTY, VAT)
COMPONENT_OBLIGATION: dict[str, str] = {SHIPPING: MAIN_CARRIAGE, INSURANCE: CARGO_INSURANCE, DUTY: IMPORT_DUTY,
                                        VAT: IMPORT_VAT}

# Who pays each component, derived from the table: the buyer always pays for the goods (to the seller).
PAYERS: dict[str, dict[str, Party]] = {
    term: {GOODS: BUYER, **{component: rule[obligation] for component, obligation in COMPONENT_OBLIGATION.items()}}
    for term, rule in OBLIGATIONS.items()
}

# Rules under which the seller must buy cargo insurance, so the estimate includes a premium.
INSURANCE_REQUIRED: frozenset[str] = frozenset({"CIF", "CIP"})


def _known(incoterm: str) -> str:
    term = str(incoterm)
    if term not in OBLIGATIONS:
        raise ValueError(f"Unknown Incoterm: {incoterm!r}")
    return term


def payer(incoterm: str, component: str) -> Party:
    """"buyer" or "seller": who pays `component` under `incoterm`. ValueError for unknown names."""
    rule = PAYERS[_known(incoterm)]
    if component not in rule:
        raise ValueError(f"Unknown cost component: {component!r}")
    return rule[component]


def obligation_payer(incoterm: str, obligation: str) -> Party:
    """"buyer" or "seller": who pays `obligation` (export clearance, ...) under `incoterm`."""
    rule = OBLIGATIONS[_known(incoterm)]
    if obligation not in rule:
        raise ValueError(f"Unknown obligation: {obligation!r}")
    return rule[obligation]


def payee(component: str, party: str) -> str:
    """Who receives the money for `component` when `party` pays it: the seller for the goods and for
    anything the seller arranges (it is on the seller's invoice), else the carrier, insurer or customs."""
    if component == GOODS or party == SELLER:
        return SELLER
    if component not in COMPONENT_OBLIGATION:
        raise ValueError(f"Unknown cost component: {component!r}")
    return PAYEES[COMPONENT_OBLIGATION[component]]


def paid_to(payers: Mapping[str, str]) -> dict[str, str]:
    """Component -> who receives its money, for an order's or an estimate's `payers`."""
    return {component: payee(component, payers.get(component, BUYER)) for component in COMPONENTS}


@dataclass(frozen=True)
class MoneySplit:
    """The two sums of an order, in one currency.

    invoice_total: what the buyer pays to the seller (goods plus what the seller arranges and charges).
    buyer_other_costs: what the buyer is estimated to pay to others (carrier, insurer, customs).
    landed_cost: their sum, everything the goods cost the buyer at the destination."""

    invoice_total: Decimal
    buyer_other_costs: Decimal

    @property
    def landed_cost(self) -> Decimal:
        return self.invoice_total + self.buyer_other_costs


def split(payers: Mapping[str, str], amounts: Mapping[str, Decimal]) -> MoneySplit:
    """Sorts the component `amounts` into the seller's invoice and the buyer's other costs by `payers`
    (component -> "buyer"/"seller", as PAYERS[incoterm] or an order's stored copy of it). The goods are
    always on the invoice."""
    invoice = Decimal("0.00")
    others = Decimal("0.00")
    for component in COMPONENTS:
        amount = amounts.get(component, Decimal("0.00"))
        if component == GOODS or payers.get(component) == SELLER:
            invoice += amount
        else:
            others += amount
    return MoneySplit(invoice_total=invoice, buyer_other_costs=others)
