"""A select, and the frame of a form's field, whose markup is rendered once and reused: the search
form's country and category lists (250 countries, three times on every catalogue page) cost more to
render through the template engine than the rest of the page.

The markup with nothing selected is kept per process, keyed by everything it depends on: the
language, the field's name and attributes, and the choices (a key the form gives for the long
static lists, such as the category tree's rows, or the choices themselves). A changed category
tree is a new key, so no node can show a stale list; old keys fall out of the small LRU. The
option the request selects is marked in the cached markup, exactly as Django marks it."""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

MAX_ENTRIES = 256
# Stands for the widget while a field's frame is rendered.
_WIDGET_MARK = "\x00widget\x00"
# Rendered as the value of the cached markup: no option has it, so none is marked selected there.
_NO_OPTION = "\x00"


class _MarkupCache:
    """A small LRU of rendered markup, shared by the threads of a process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, str] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            markup = self.entries.get(key)
            if markup is not None:
                self.entries.move_to_end(key)
            return markup

    def put(self, key: tuple, markup: str) -> None:
        with self.lock:
            self.entries[key] = markup
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


markup_cache = _MarkupCache(MAX_ENTRIES)
# Whole forms (the search form's fields for the filters of a page), apart from the selects and
# frames above so that many filter combinations never push those out.
form_markup_cache = _MarkupCache(64)


class CachedSelect(forms.Select):
    """forms.Select with its markup cached; `choices_key` names the choices when they are long and
    known (e.g. "countries"), otherwise the choices themselves are the key."""

    def __init__(self, attrs=None, choices=(), *, choices_key: Any = None) -> None:
        super().__init__(attrs, choices)
        self.choices_key = choices_key

    def _key_of_choices(self) -> Any:
        if self.choices_key is not None:
            return self.choices_key
        return tuple((str(value), str(label)) for value, label in self.choices)

    def use_required_attribute(self, initial) -> bool:
        # A field that is not required never gets the attribute: the choices are not read to say so.
        return self.is_required and super().use_required_attribute(initial)

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        key = (type(self).__name__, get_language(), name, tuple(sorted(final_attrs.items())), self._key_of_choices())
        markup = markup_cache.get(key)
        if markup is None:
            markup = str(super().render(name, _NO_OPTION, attrs, renderer))
            markup_cache.put(key, markup)
        return mark_safe(self._select(markup, value))

    def _select(self, markup: str, value) -> str:
        """Marks the first option whose value is the chosen one, as ChoiceWidget.optgroups does for a
        single select; a value that is no option leaves every option unselected."""
        for chosen in self.format_value(value)[:1]:
            needle = f'<option value="{escape(chosen)}">'
            at = markup.find(needle)
            if at >= 0:
                end = at + len(needle) - 1
                return f"{markup[:end]} selected{markup[end:]}"
        return markup


class FramedBoundField(BoundField):
    """A field group (label, help text, the widget) whose markup around the widget is cached per
    language, form and field, so only the widget is rendered per request. A field with errors is
    rendered in full: its frame holds them."""

    _framing = False

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if self._framing:
            return _WIDGET_MARK
        return super().as_widget(widget, attrs, only_initial)

    def as_field_group(self):
        if self.errors or self.field.show_hidden_initial:
            return super().as_field_group()
        key = ("frame", get_language(), type(self.form).__qualname__, self.html_name, self.auto_id,
               self.form.label_suffix, self.field.required, str(self.label), str(self.help_text),
               type(self.field.widget).__qualname__, tuple(sorted(self.field.widget.attrs.items())))
        value = self.value()
        # An empty input (most of a search form's fields on most pages) is the same markup every time.
        whole_key = (*key, "empty", value) if value is None or value is False or value == "" else None
        if whole_key is not None and not isinstance(self.field.widget, CachedSelect):
            whole = markup_cache.get(whole_key)
            if whole is None:
                whole = str(self._framed(key))
                markup_cache.put(whole_key, whole)
            return mark_safe(whole)
        return self._framed(key)

    def _framed(self, key: tuple):
        frame = markup_cache.get(key)
        if frame is None:
            self._framing = True
            try:
                frame = str(super().as_field_group())
            finally:
                self._framing = False
            markup_cache.put(key, frame)
        return mark_safe(frame.replace(_WIDGET_MARK, str(self.as_widget()), 1))
