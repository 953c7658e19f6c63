"""{% per_language %} (frontend/templatetags/page_fragments.py): the header's and footer's fixed parts
are kept per language, so each language still gets its own words and its language selected."""
from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from frontend.templatetags import page_fragments

pytestmark = pytest.mark.django_db


def test_each_language_gets_its_own_header_and_its_language_selected(client):
    pages = {language: client.get("/listings/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
             for language in ("en", "tr", "zh-hans", "en")}

    assert ">Log in</a>" in pages["en"] and ">Giriş yap</a>" in pages["tr"] and ">登录</a>" in pages["zh-hans"]
    assert '<option value="tr" selected>' in pages["tr"] and '<option value="en" selected>' in pages["en"]
    assert '<option value="zh-hans" selected>' in pages["zh-hans"]
    assert ("footer", "tr", "/") in page_fragments._kept


def test_a_fragment_is_rendered_once_per_language():
    template = Template('{% load page_fragments %}{% per_language "test" %}{{ value }}{% end_per_language %}')
    page_fragments._kept.clear()
    with translation.override("en"):
        assert template.render(Context({"value": "first"})) == "first"
        assert template.render(Context({"value": "second"})) == "first"
    with translation.override("tr"):
        assert template.render(Context({"value": "third"})) == "third"


def test_the_kept_fragments_stay_few():
    page_fragments._kept.clear()
    for number in range(page_fragments.MAX_FRAGMENTS + 10):
        Template('{% load page_fragments %}{% per_language "f' + str(number) + '" %}x{% end_per_language %}').render(
            Context())
    assert len(page_fragments._kept) <= page_fragments.MAX_FRAGMENTS


def test_the_tag_takes_one_quoted_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load page_fragments %}{% per_language name %}x{% end_per_language %}")
