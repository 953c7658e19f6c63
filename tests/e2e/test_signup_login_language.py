"""A person signs up a seller company, logs out, logs in again and switches the site to Turkish
and to Simplified Chinese, in a real browser."""
import pytest
from django.utils import translation

from accounts.models import Company, Membership, User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Kilim-Loom-Bursa-2026"


def _translated(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_register_login_and_switch_language(live_server, page):
    page.goto(f"{live_server.url}/signup/")
    page.fill("[name=email]", "Selin@Ipek-Textiles.example")
    page.fill("[name=full_name]", "Selin Demir")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    page.fill("[name=legal_name]", "İpek Textiles A.Ş.")
    page.select_option("[name=country]", "TR")
    page.fill("[name=registration_number]", "TR-771204")
    page.fill("[name=address]", "Osmangazi, Bursa")
    page.fill("[name=website]", "https://ipek-textiles.example")
    page.fill("[name=description]", "Towels and bathrobes from Bursa.")
    page.select_option("[name=default_currency]", "TRY")
    page.select_option("[name=kind]", "seller")
    page.click("form#signup-form [type=submit]")
    page.wait_for_url(f"{live_server.url}/my-company/")
    assert "İpek Textiles A.Ş." in page.content()

    user = User.objects.get(email="selin@ipek-textiles.example")
    company = Company.objects.get(registration_number="TR-771204")
    assert (company.country.code, company.kind, company.verification_status) == ("TR", "seller", "unverified")
    assert Membership.objects.filter(user=user, company=company, role="owner").count() == 1

    page.click("form#logout-form [type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/my-company/")
    assert "/login/" in page.url

    page.goto(f"{live_server.url}/login/")
    page.fill("[name=email]", "selin@ipek-textiles.example")
    page.fill("[name=password]", "not-the-password-1")
    page.click("form#login-form [type=submit]")
    page.wait_for_selector(".errorlist, .form-error")
    assert page.url.startswith(f"{live_server.url}/login/")

    page.fill("[name=email]", "selin@ipek-textiles.example")
    page.fill("[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "İpek Textiles A.Ş." in page.content()

    english_label = "My company"
    turkish_label = _translated("tr", english_label)
    chinese_label = _translated("zh-hans", english_label)
    assert turkish_label != english_label and chinese_label != english_label
    assert english_label in page.inner_text("nav")

    page.select_option("#language-select", "tr")
    page.click("#language-submit")
    page.wait_for_function("document.documentElement.lang === 'tr'")
    assert turkish_label in page.inner_text("nav")
    assert english_label not in page.inner_text("nav")

    page.select_option("#language-select", "zh-hans")
    page.click("#language-submit")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert chinese_label in page.inner_text("nav")
