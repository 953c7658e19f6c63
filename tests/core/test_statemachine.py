"""core.statemachine: allowed moves kept as data, checked by one pure function."""
from __future__ import annotations

import pytest

from core.statemachine import Move, MoveNotAllowed, ReasonRequired, TransitionTable

DOOR = TransitionTable("door", {
    ("closed", "open"): Move("guest"),
    ("open", "closed"): Move("guest"),
    ("closed", "locked"): Move("keeper", reason_required=True),
})


def test_allowed_move_returns_the_move():
    assert DOOR.check(from_status="closed", to_status="open", role="guest") == Move("guest")


def test_unknown_move_is_refused():
    with pytest.raises(MoveNotAllowed) as excinfo:
        DOOR.check(from_status="open", to_status="locked", role="keeper", reason="night")
    assert str(excinfo.value) == "A door cannot go from open to locked."


def test_move_by_the_wrong_role_is_refused():
    with pytest.raises(MoveNotAllowed) as excinfo:
        DOOR.check(from_status="closed", to_status="locked", role="guest", reason="night")
    assert str(excinfo.value) == "Only a keeper can move a door from closed to locked."


def test_reason_is_checked_after_the_role():
    with pytest.raises(ReasonRequired):
        DOOR.check(from_status="closed", to_status="locked", role="keeper", reason="  ")
    assert DOOR.check(from_status="closed", to_status="locked", role="keeper", reason="night") == Move(
        "keeper", reason_required=True)


def test_targets():
    assert DOOR.targets("closed", "guest") == ["open"]
    assert DOOR.targets("closed", "keeper") == ["locked"]
    assert DOOR.targets("locked", "keeper") == []
