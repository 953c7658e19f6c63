"""Writes of the orders app: the cart, the checkout, the order moves and the timed moves."""
from .cart import cart_clear, cart_line_add, cart_line_remove, cart_line_update
from .checkout import CheckoutResult, checkout_place
from .flow import (
    order_accept,
    order_cancel,
    order_complete,
    order_confirm_delivery,
    order_dispute,
    order_mark_paid,
    order_refuse,
    order_resolve,
    order_ship,
    order_transition,
)
from .timed import order_timed_moves_run

__all__ = [
    "CheckoutResult", "cart_clear", "cart_line_add", "cart_line_remove", "cart_line_update", "checkout_place",
    "order_accept", "order_cancel", "order_complete", "order_confirm_delivery", "order_dispute", "order_mark_paid",
    "order_refuse", "order_resolve", "order_ship", "order_timed_moves_run", "order_transition",
]
