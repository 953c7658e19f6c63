from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Invite, Membership, MembershipRole, VerificationStatus
from tests.accounts.helpers import give_evidence, set_status
from tests.factories.accounts import MembershipFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def world(company_a, company_b, member_a, staff_a, member_b, moderator, admin_user):
    """Company A (TR, unverified) with an owner and a staff member; company B (CN, verified) with an owner;
    a moderator, a superuser, and an open invite of A for an address nobody uses yet."""
    set_status(company_b, VerificationStatus.VERIFIED)
    give_evidence(company_a)  # what a request for verification needs: a tax number, a registration certificate
    invite = Invite.objects.create(
        company=company_a, email="newcomer@example.com", role=MembershipRole.STAFF, invited_by=member_a,
        token="open-invite-token-a", expires_at=timezone.now() + timedelta(days=7))
    return SimpleNamespace(
        a=company_a, b=company_b, owner_a=member_a, staff_a=staff_a, owner_b=member_b, moderator=moderator,
        admin=admin_user, invite=invite,
        staff_a_membership=Membership.objects.get(user=staff_a, company=company_a),
    )


@pytest.fixture
def moderator_member_of_a(company_a, moderator):
    """A moderator who is also on company A's staff."""
    MembershipFactory(company=company_a, user=moderator, role=MembershipRole.STAFF)
    return moderator
