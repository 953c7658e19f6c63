"""Listing life cycle, kept as data."""
from core.statemachine import Move, TransitionTable

from .models import ListingStatus as S

SELLER = "seller"
MODERATOR = "moderator"

LIFECYCLE = TransitionTable("listing", {
    (S.DRAFT, S.PENDING_REVIEW): Move(SELLER),
    (S.CHANGES_REQUESTED, S.PENDING_REVIEW): Move(SELLER),
    (S.SUSPENDED, S.PENDING_REVIEW): Move(SELLER),
    (S.PENDING_REVIEW, S.PUBLISHED): Move(MODERATOR),
    (S.PENDING_REVIEW, S.CHANGES_REQUESTED): Move(MODERATOR, reason_required=True),
    (S.PENDING_REVIEW, S.REJECTED): Move(MODERATOR, reason_required=True),
    (S.PUBLISHED, S.SUSPENDED): Move(MODERATOR, reason_required=True),
    (S.DRAFT, S.ARCHIVED): Move(SELLER),
    (S.PENDING_REVIEW, S.ARCHIVED): Move(SELLER),
    (S.PUBLISHED, S.ARCHIVED): Move(SELLER),
    (S.CHANGES_REQUESTED, S.ARCHIVED): Move(SELLER),
    (S.REJECTED, S.ARCHIVED): Move(SELLER),
    (S.SUSPENDED, S.ARCHIVED): Move(SELLER),
})

# States in which the seller edits the listing in place; edits to a published listing wait for review.
EDITABLE_IN_PLACE = frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.SUSPENDED})

# States in which the moderator is reading the listing: its text is not changed under them (only the
# stock, which the review does not judge, moves). To change more the seller waits for the decision.
LOCKED_FOR_REVIEW = frozenset({S.PENDING_REVIEW})
