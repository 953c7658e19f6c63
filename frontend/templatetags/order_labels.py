"""The words of the order pages' cost components, payers, payees and due moments, asked of the one
place the documents ask too (orders/documents.py)."""
from __future__ import annotations

from django import template

from orders import documents

register = template.Library()

register.filter("component_label", documents.component_label)
register.filter("payer_label", documents.payer_label)
register.filter("paid_to_label", documents.paid_to_label)
register.filter("due_label", documents.due_label)
