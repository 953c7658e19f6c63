"""What the browser journeys share: the data they start from and signing in and out."""
import importlib

from django.apps import apps

from tests.factories.accounts import PASSWORD


def category_tree() -> None:
    """The category tree the migrations load, whatever earlier live-server tests flushed (idempotent)."""
    importlib.import_module("marketplace.migrations.0002_category_tree").load_tree(apps, None)


def log_in(page, base: str, email: str, *, password: str = PASSWORD, next_url: str = "") -> None:
    page.goto(f"{base}/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("[name=email]", email)
    page.fill("[name=password]", password)
    with page.expect_navigation():
        page.click("form#login-form [type=submit]")


def log_out(page, base: str) -> None:
    with page.expect_navigation():
        page.click("form#logout-form [type=submit]")


def messages(page) -> str:
    return page.inner_text(".messages") if page.locator(".messages").count() else ""
