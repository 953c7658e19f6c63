"""{% per_language "name" %}...{% end_per_language %}: markup that depends on nothing but the language
(links, labels, the language list), rendered once per process for each language and kept; the page
header and footer of every page have such parts. What is inside must not read the request, the user
or the page's context."""
from __future__ import annotations

from threading import Lock

from django import template
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_kept: dict[tuple, str] = {}
_lock = Lock()
# Bounds the kept fragments whatever happens: names x languages x script prefixes.
MAX_FRAGMENTS = 256


class PerLanguageNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        key = (self.name, get_language(), get_script_prefix())
        markup = _kept.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            with _lock:
                if len(_kept) >= MAX_FRAGMENTS:
                    _kept.clear()
                _kept[key] = markup
        return mark_safe(markup)


@register.tag
def per_language(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("per_language takes one quoted name")
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    return PerLanguageNode(bits[1][1:-1], nodelist)
