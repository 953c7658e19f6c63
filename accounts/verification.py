"""Company verification moves, kept as data."""
from core.statemachine import Move, TransitionTable

from .models import VerificationStatus as S

MEMBER = "member"
MODERATOR = "moderator"
SYSTEM = "system"  # a move made by time (the beat task that expires verifications), with no actor

VERIFICATION = TransitionTable("company", {
    (S.UNVERIFIED, S.PENDING): Move(MEMBER),
    (S.REJECTED, S.PENDING): Move(MEMBER),
    (S.PENDING, S.VERIFIED): Move(MODERATOR),
    (S.PENDING, S.REJECTED): Move(MODERATOR, reason_required=True),
    (S.VERIFIED, S.SUSPENDED): Move(MODERATOR, reason_required=True),
    (S.SUSPENDED, S.VERIFIED): Move(MODERATOR),
    (S.VERIFIED, S.VERIFIED): Move(MODERATOR),  # a renewal request approved or refused
    (S.VERIFIED, S.EXPIRED): Move(SYSTEM),
    (S.EXPIRED, S.PENDING): Move(MEMBER),
})

# A verified company may ask to renew its verification before it expires: it keeps its badge while
# the request waits (Company.renewal_requested_at); a moderator's approval extends verified_until, a
# refusal leaves the current verification to run out. Both are recorded as decisions from verified
# to verified with the documents they rested on.
RENEWABLE = frozenset({S.VERIFIED})

# What identifies a company: the moderator checked these when verifying it. Once the company is
# verified (and while it is suspended) a change to them waits in `pending_changes` for a moderator
# and the reviewed identity stays in place until the change is approved.
IDENTITY_FIELDS = ("legal_name", "registration_number", "tax_number", "country", "kind")
IDENTITY_REVIEWED = frozenset({S.VERIFIED, S.SUSPENDED})
