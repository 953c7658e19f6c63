"""Company verification moves, kept as data."""
from core.statemachine import Move, TransitionTable

from .models import VerificationStatus as S

MEMBER = "member"
MODERATOR = "moderator"

VERIFICATION = TransitionTable("company", {
    (S.UNVERIFIED, S.PENDING): Move(MEMBER),
    (S.REJECTED, S.PENDING): Move(MEMBER),
    (S.PENDING, S.VERIFIED): Move(MODERATOR),
    (S.PENDING, S.REJECTED): Move(MODERATOR, reason_required=True),
    (S.VERIFIED, S.SUSPENDED): Move(MODERATOR, reason_required=True),
    (S.SUSPENDED, S.VERIFIED): Move(MODERATOR),
})

# What identifies a company: the moderator checked these when verifying it. Once the company is
# verified (and while it is suspended) a change to them waits in `pending_changes` for a moderator
# and the reviewed identity stays in place until the change is approved.
IDENTITY_FIELDS = ("legal_name", "registration_number", "country", "kind")
IDENTITY_REVIEWED = frozenset({S.VERIFIED, S.SUSPENDED})
