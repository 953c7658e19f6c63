"""Identity changes of a company as the pages show them: each waiting change beside the reviewed
value, named and worded as the company form names them (a country by its name, a trading role by
its label)."""
from __future__ import annotations

from dataclasses import dataclass

from django_countries import countries

from accounts.models import Company, CompanyKind
from accounts.verification import IDENTITY_FIELDS

from .forms import CompanyForm


@dataclass(frozen=True)
class IdentityChange:
    field: str
    label: str
    reviewed: str
    waiting: str


def _shown(field: str, value: str) -> str:
    if field == "country":
        return str(countries.name(value)) or value
    if field == "kind":
        return str(CompanyKind(value).label) if value in CompanyKind.values else value
    return value


def identity_changes(company: Company) -> list[IdentityChange]:
    """The company's identity changes waiting for review, in the order of the form; none when
    nothing waits. Reads only the company row."""
    waiting = company.pending_changes or {}
    return [IdentityChange(field=field, label=str(CompanyForm.base_fields[field].label),
                           reviewed=_shown(field, str(getattr(company, field))),
                           waiting=_shown(field, waiting[field]))
            for field in IDENTITY_FIELDS if field in waiting]
