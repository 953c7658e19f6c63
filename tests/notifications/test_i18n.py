"""The notifications catalogues are complete and compiled, and messages follow the recipient's language."""
from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from notifications.models import Channel, Delivery
from notifications.services import notify
from notifications.tasks import delivery_send
from tests.factories.accounts import MembershipFactory
from tests.frontend.test_i18n import _entries

APP = Path(settings.BASE_DIR) / "notifications"


@pytest.mark.parametrize("language", ["tr", "zh_Hans"])
def test_catalogue_is_complete_and_compiled(language):
    po = APP / "locale" / language / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    entries = _entries(po)

    assert len(entries) > 60
    assert [msgid for msgid, values, _flags, _plural in entries if not all(values)] == []
    assert "fuzzy" not in po.read_text(encoding="utf-8")
    assert [msgid for msgid, values, _flags, plural in entries
            if not plural and compiled.gettext(msgid) != values[0]] == []


@pytest.mark.parametrize("language", ["tr", "zh-hans"])
def test_every_template_string_is_translated(language):
    msgids = set()
    for source in (APP / "templates").rglob("*.*"):
        msgids.update(re.findall(r'{% translate "([^"]+)" %}', source.read_text(encoding="utf-8")))

    with translation.override(language):
        untranslated = sorted(m for m in msgids if translation.gettext(m) == m)

    assert len(msgids) > 15
    assert untranslated == []


@pytest.mark.django_db
def test_listing_email_in_simplified_chinese(company_a):
    member = MembershipFactory(company=company_a, user__preferred_language="zh-hans").user
    notify(event="listing.decided", company=company_a, context={
        "listing_id": 7, "listing_title": "Cotton towel", "decision_id": 1, "from_status": "pending_review",
        "to_status": "rejected", "reason": "Blurry photos", "changes_reviewed": False, "applied_changes": False})

    assert delivery_send(Delivery.objects.get(channel=Channel.EMAIL, recipient=member).pk) == "sent"

    [message] = mail.outbox
    assert message.subject == "您的商品 Cotton towel 已审核"
    assert "理由： Blurry photos" in message.body
    assert "审核员已将 Cotton towel 的状态改为：" in message.body
