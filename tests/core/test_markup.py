"""core.markup.render_markdown: user Markdown to HTML that carries no script."""
from __future__ import annotations

from core.markup import render_markdown


def test_markdown_is_rendered():
    assert render_markdown("**Bold** and *soft*") == "<p><strong>Bold</strong> and <em>soft</em></p>"


def test_script_and_event_handlers_are_removed():
    html = render_markdown("Hi <script>alert(1)</script><img src=x onerror=alert(1)>")

    assert "<script" not in html
    assert "onerror" not in html
    assert "<img" not in html


def test_links_keep_safe_schemes_only_and_get_rel():
    assert render_markdown("[site](https://example.com)") == (
        '<p><a href="https://example.com" rel="nofollow noopener noreferrer">site</a></p>')
    assert "javascript:" not in render_markdown("[x](javascript:alert(1))")


def test_empty_source():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
