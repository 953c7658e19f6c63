"""Allowed moves between states kept as data, with one pure check. Each domain declares its table."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Move:
    who: str
    reason_required: bool = False


class MoveNotAllowed(Exception):
    pass


class ReasonRequired(MoveNotAllowed):
    pass


@dataclass(frozen=True)
class TransitionTable:
    subject: str
    moves: dict[tuple[str, str], Move]

    def check(self, *, from_status: str, to_status: str, role: str, reason: str = "") -> Move:
        """Returns the move when `role` may take the subject from `from_status` to `to_status`."""
        move = self.moves.get((from_status, to_status))
        if move is None:
            raise MoveNotAllowed(_("A %(subject)s cannot go from %(from)s to %(to)s.")
                                 % {"subject": self.subject, "from": from_status, "to": to_status})
        if move.who != role:
            raise MoveNotAllowed(_("Only a %(who)s can move a %(subject)s from %(from)s to %(to)s.")
                                 % {"who": move.who, "subject": self.subject, "from": from_status, "to": to_status})
        if move.reason_required and not reason.strip():
            raise ReasonRequired(_("A reason is required for this decision."))
        return move

    def targets(self, from_status: str, role: str) -> list[str]:
        return [to for (frm, to), move in self.moves.items() if frm == from_status and move.who == role]
