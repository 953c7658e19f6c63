"""The cart badge of the site navigation."""
from __future__ import annotations

from django import template

from orders.selectors.checkout import cart_line_count

register = template.Library()


@register.simple_tag
def cart_count(company) -> int:
    """Lines in the cart of the company; one query, and none without a company."""
    if company is None or not getattr(company, "pk", None):
        return 0
    return cart_line_count(buyer_id=company.pk)
