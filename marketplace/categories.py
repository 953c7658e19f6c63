"""The B2B category tree loaded on first migration (names are translated in the UI)."""
from django.utils.translation import gettext_noop as _

TREE: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("textiles", _("Textiles and apparel"), [
        ("fabrics", _("Fabrics")), ("home-textiles", _("Home textiles")), ("garments", _("Garments")),
        ("leather", _("Leather and leather goods")), ("yarn", _("Yarn and fibres"))]),
    ("food-agriculture", _("Food and agriculture"), [
        ("dried-fruit-nuts", _("Dried fruit and nuts")), ("coffee-tea", _("Coffee and tea")),
        ("grains-pulses", _("Grains and pulses")), ("olive-oil", _("Olive oil and edible oils")),
        ("spices", _("Spices")), ("fresh-produce", _("Fresh produce"))]),
    ("machinery", _("Machinery"), [
        ("industrial-machinery", _("Industrial machinery")), ("agricultural-machinery", _("Agricultural machinery")),
        ("packaging-machinery", _("Packaging machinery")), ("machine-parts", _("Machine parts"))]),
    ("chemicals", _("Chemicals"), [
        ("plastics-polymers", _("Plastics and polymers")), ("paints-coatings", _("Paints and coatings")),
        ("fertilisers", _("Fertilisers"))]),
    ("electronics", _("Electronics"), [
        ("components", _("Electronic components")), ("pcb", _("Printed circuit boards")),
        ("consumer-electronics", _("Consumer electronics")), ("lighting", _("Lighting"))]),
    ("construction", _("Construction and building materials"), [
        ("ceramics-tiles", _("Ceramics and tiles")), ("stone-marble", _("Stone and marble")),
        ("steel-products", _("Steel products")), ("glass", _("Glass"))]),
    ("home-goods", _("Home goods and furniture"), [
        ("furniture", _("Furniture")), ("kitchenware", _("Kitchenware")), ("home-decor", _("Home decor"))]),
    ("packaging", _("Packaging and printing"), []),
    ("health-beauty", _("Health and beauty"), [("cosmetics", _("Cosmetics")), ("medical-supplies", _("Medical supplies"))]),
    ("automotive", _("Automotive parts"), []),
    ("metals-minerals", _("Metals and minerals"), []),
    ("energy", _("Energy and solar"), []),
]
