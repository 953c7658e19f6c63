"""Allowed moves between states kept as data, with one pure check. Each domain declares its table."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

# How a table words a refused move. NAMED: "A listing cannot go from ...", "Only a moderator can move
# a listing from ..." (the role allowed). THIS: "This order cannot go from ...", "A buyer cannot move
# this order from ..." (the role refused), for tables whose moves several roles may take.
NAMED = "named"
THIS = "this"


@dataclass(frozen=True, init=False)
class Move:
    """The roles that may take a move (one or several) and whether it needs a reason."""

    roles: frozenset[str]
    reason_required: bool = False

    def __init__(self, *roles: str, reason_required: bool = False) -> None:
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "reason_required", reason_required)

    @property
    def who(self) -> str:
        """The role allowed, or the roles allowed in alphabetical order joined by " or "."""
        return " or ".join(sorted(self.roles))


class MoveNotAllowed(Exception):
    pass


class ReasonRequired(MoveNotAllowed):
    pass


@dataclass(frozen=True)
class TransitionTable:
    subject: str
    moves: dict[tuple[str, str], Move]
    wording: str = NAMED

    def check(self, *, from_status: str, to_status: str, role: str, reason: str = "") -> Move:
        """Returns the move when `role` may take the subject from `from_status` to `to_status`."""
        move = self.moves.get((from_status, to_status))
        names = {"subject": self.subject, "from": from_status or "-", "to": to_status}
        if move is None:
            if self.wording == THIS:
                raise MoveNotAllowed(_("This %(subject)s cannot go from %(from)s to %(to)s.") % names)
            raise MoveNotAllowed(_("A %(subject)s cannot go from %(from)s to %(to)s.") % names)
        if role not in move.roles:
            if self.wording == THIS:
                raise MoveNotAllowed(_("A %(role)s cannot move this %(subject)s from %(from)s to %(to)s.")
                                     % {**names, "role": role})
            raise MoveNotAllowed(_("Only a %(who)s can move a %(subject)s from %(from)s to %(to)s.")
                                 % {**names, "who": move.who})
        if move.reason_required and not (reason or "").strip():
            raise ReasonRequired(_("A reason is required for this decision."))
        return move

    def allows(self, *, from_status: str, to_status: str, role: str) -> bool:
        move = self.moves.get((from_status, to_status))
        return move is not None and role in move.roles

    def targets(self, from_status: str, role: str) -> list[str]:
        return [to for (frm, to), move in self.moves.items() if frm == from_status and role in move.roles]

    def triples(self) -> set[tuple[str, str, str]]:
        """Every allowed (from, to, role)."""
        return {(frm, to, role) for (frm, to), move in self.moves.items() for role in move.roles}
