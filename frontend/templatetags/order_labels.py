"""The words of the order pages' cost components, payers, payees and due moments, asked of the one
place the documents ask too (orders/documents.py)."""
from __future__ import annotations

from django import template

from orders import documents

register = template.Library()


@register.filter
def component_label(component: str) -> str:
    return documents.component_label(component)


@register.filter
def payer_label(payer: str) -> str:
    return documents.payer_label(payer)


@register.filter
def paid_to_label(payee: str) -> str:
    return documents.paid_to_label(payee)


@register.filter
def due_label(due: str) -> str:
    return documents.due_label(due)
