"""{% listing_cards cards display %}: the catalogue's cards (frontend.catalogue.cards);
{% search_form_fields form %}: the search form's fields (SearchForm.fields_markup)."""
from django import template

from ..catalogue.cards import listing_cards as render_cards

register = template.Library()


@register.simple_tag
def listing_cards(cards, display):
    return render_cards(cards, display)


@register.simple_tag
def search_form_fields(form):
    return form.fields_markup()
