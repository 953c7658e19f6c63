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
