"""{% listing_cards cards display %}: the catalogue's cards (frontend.catalogue.cards)."""
from django import template

from ..catalogue.cards import listing_cards as render_cards

register = template.Library()


@register.simple_tag
def listing_cards(cards, display):
    return render_cards(cards, display)
