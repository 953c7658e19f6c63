"""The pages in Turkish and Simplified Chinese, and the completeness of the catalogues."""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tests.accounts.helpers import give_evidence
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


def _nav(response) -> str:
    return re.search(r"<nav class=\"site-nav\".*?</nav>", response.content.decode(), re.S).group(0)


def test_language_cookie_turns_the_page_turkish(client_as, member_a, settings):
    client = client_as(member_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"

    response = client.get("/")

    assertContains(response, '<html lang="tr">')
    nav = _nav(response)
    assert ">Ana sayfa</a>" in nav and ">Şirketim</a>" in nav and ">Çıkış yap</button>" in nav
    assert "My company" not in nav
    assertContains(response, "<h1>Güvenebileceğiniz şirketlerle ticaret yapın</h1>", html=True)
    assertContains(response, '<option value="tr" selected>Türkçe</option>', html=True)


def test_accept_language_chinese(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9")

    assertContains(response, '<html lang="zh-hans">')
    assertContains(response, "<h1>登录</h1>", html=True)
    assertContains(response, '<label for="id_password">密码:</label>', html=True)


def test_set_language_switches_to_turkish_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "tr", "next": "/signup/"})

    assertRedirects(response, "/signup/", fetch_redirect_response=False)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "tr"
    page = client.get("/signup/")
    assertContains(page, "<h1>Şirketinizi kaydedin</h1>", html=True)
    assertContains(page, '<label for="id_legal_name">Şirketin resmi unvanı:</label>', html=True)
    assertContains(page, '<option value="both">Alıcı ve satıcı</option>', html=True)
    assertNotContains(page, "Register your company")

    client.post("/i18n/setlang/", {"language": "en", "next": "/signup/"})
    assertContains(client.get("/signup/"), "<h1>Register your company</h1>", html=True)


def test_signup_suggests_the_page_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.get("/signup/")

    assert response.context["form"]["preferred_language"].value() == "zh-hans"
    assertContains(response, '<option value="zh-hans" selected>简体中文</option>', html=True)


def test_service_errors_come_in_the_page_language(client, member_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"

    response = client.post("/login/", {"email": member_a.email, "password": "not-the-password-1"})

    assert response.context["form"].non_field_errors() == ["E-posta adresi veya parola yanlış."]
    assert "_auth_user_id" not in client.session


def test_signup_field_errors_in_chinese(client, signup_data):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    response = client.post("/signup/", {**signup_data, "description": "<b>x</b>", "password2": "other-password-1"})

    assert response.context["form"].errors == {"password2": ["两次输入的密码不一致。"]}
    response = client.post("/signup/", {**signup_data, "description": "<b>x</b>"})
    assert response.context["form"].errors == {"description": ["此字段不允许包含 HTML 标签和脚本。"]}


def test_flash_messages_are_translated(client, company_a, member_a):
    give_evidence(company_a)  # what a request for verification needs
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    client.post("/login/", {"email": member_a.email, "password": PASSWORD})

    response = client.post("/my-company/verification/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Doğrulama istendi. Bir moderatör şirketinizi inceleyecek."]


@pytest.mark.parametrize(("language", "label"), [("tr", "Şirketim"), ("zh-hans", "我的公司")])
def test_nav_label_used_by_the_browser_test(language, label):
    with translation.override(language):
        assert translation.gettext("My company") == label


def _entries(path: Path) -> list[tuple[str, list[str], str, bool]]:
    """(msgid, msgstr values, flags, is plural) of each entry of a .po file, header excluded. An entry
    with a context is keyed as gettext keeps it: the context, EOT (\\x04), then the msgid."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            values = [v for k, v in fields.items() if k.startswith("msgstr")]
            msgid = f"{fields['msgctxt']}\x04{fields['msgid']}" if "msgctxt" in fields else fields["msgid"]
            entries.append((msgid, values, flags, "msgid_plural" in fields))
    return entries


@pytest.mark.parametrize("language", ["tr", "zh_Hans"])
def test_catalogue_is_complete_and_compiled(language):
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")

    entries = _entries(po)
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    assert len(entries) > 300
    assert [msgid for msgid, values, _flags, _plural in entries if not all(values)] == []
    assert [msgid for msgid, _values, flags, _plural in entries if "fuzzy" in flags] == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    assert [msgid for msgid, values, _flags, plural in entries
            if not plural and compiled.gettext(msgid) != values[0]] == []


@pytest.mark.parametrize("language", ["tr", "zh-hans"])
def test_every_frontend_template_string_is_translated(language):
    sources = list((Path(settings.BASE_DIR) / "frontend" / "templates").rglob("*.html"))
    msgids = set()
    for source in sources:
        msgids.update(re.findall(r'{% translate "([^"]+)" %}', source.read_text(encoding="utf-8")))

    # {% translate %} looks a string up with each "%" doubled, as makemessages wrote it into the catalogue.
    with translation.override(language):
        untranslated = sorted(m for m in msgids if translation.gettext(m.replace("%", "%%")) == m.replace("%", "%%"))

    assert len(msgids) > 100
    assert untranslated == []


def test_a_certificate_name_is_not_a_persons_name_in_chinese():
    with translation.override("zh-hans"):
        assert translation.pgettext("certificate", "Name") == "证书名称"
        assert translation.gettext("Name") == "姓名"
    with translation.override("tr"):
        assert translation.pgettext("certificate", "Name") == "Belge adı"
