"""Reads of the orders app, one module an area as in services/: whose cart and a listing's terms
(common), the cart, orders, payment terms, what happens next on an order (next_step); the checkout
preview (checkout) and the RFQs (rfq) are imported from their modules."""
from .common import CENT, ListingTerms, buyer_company_for_actor, convert, listing_terms, member_companies, tier_price
from .cart import CartLineView, CartSellerGroup, CartView, cart_get
from .orders import order_get, order_list, order_roles_of, order_visible_id, purchase_group_get
from .payments import (
    payment_term_list,
    payment_terms_can_change,
    payment_terms_offered,
    trusted_buyer_candidates,
    trusted_buyer_list,
)
# Last: it reads the timed moves of orders.services, which read the selectors above.
from .next_step import NextStep, OrderProgress, Step, order_next_step, order_progress, order_steps

__all__ = [
    "CENT", "CartLineView", "NextStep", "OrderProgress", "Step", "order_next_step", "order_progress",
    "order_steps", "CartSellerGroup", "CartView", "ListingTerms", "buyer_company_for_actor", "cart_get",
    "convert", "listing_terms", "member_companies", "order_get", "order_list", "order_roles_of", "order_visible_id",
    "payment_term_list", "payment_terms_can_change", "payment_terms_offered", "purchase_group_get", "tier_price",
    "trusted_buyer_candidates", "trusted_buyer_list",
]
