"""The rates shipped with the code: a sample of the ECB feeds and manual rates for currencies the
ECB does not publish. A fresh install loads them so that prices can be converted before the
first fetch succeeds."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from .ecb import parse_ecb_xml

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
ECB_SAMPLES = ("eurofxref-hist-90d-sample.xml", "eurofxref-daily-sample.xml")
MANUAL_RATES = "manual-rates.json"


def parse_manual_json(data: bytes) -> list[tuple[date, dict[str, Decimal]]]:
    """Reads {"base": "EUR", "days": [{"date": "YYYY-MM-DD", "rates": {"KES": "146.51"}}]}."""
    document = json.loads(data)
    if document.get("base") != "EUR":
        raise ValueError("Manual rates must be given against EUR.")
    out = []
    for entry in document["days"]:
        out.append((date.fromisoformat(entry["date"]),
                    {currency: Decimal(str(rate)) for currency, rate in entry["rates"].items()}))
    return out


def shipped_rates() -> dict[tuple[date, str], tuple[Decimal, str]]:
    """{(day, currency): (rate, source)} from the shipped files; an ECB rate wins over a manual one."""
    rows: dict[tuple[date, str], tuple[Decimal, str]] = {}
    for day, rates in parse_manual_json((FIXTURES_DIR / MANUAL_RATES).read_bytes()):
        for currency, rate in rates.items():
            rows[(day, currency)] = (rate, "manual")
    for name in ECB_SAMPLES:
        for day, rates in parse_ecb_xml((FIXTURES_DIR / name).read_bytes()):
            for currency, rate in rates.items():
                rows[(day, currency)] = (rate, "ecb")
    return rows


def load_shipped_rates(model) -> int:
    """Inserts the shipped rates when `model`'s table is empty; returns the number of rows written.
    Takes the model class so that a data migration can pass its historical model."""
    if model.objects.exists():
        return 0
    objs = [model(date=day, currency=currency, rate=rate, source=source)
            for (day, currency), (rate, source) in sorted(shipped_rates().items())]
    model.objects.bulk_create(objs, ignore_conflicts=True)
    return len(objs)
