"""The transition table, checked exhaustively without a database."""

import pytest

from aftersales.tickets.states import (
    OPEN_STATES,
    STATELESS_ACTIONS,
    TRANSITIONS,
    Action,
    State,
    actions_from,
    can_transition,
)

ALL_PAIRS = [(state, action) for state in State for action in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS)
def test_every_pair_is_allowed_exactly_when_the_table_says(state, action):
    sources, targets = TRANSITIONS[action]
    assert can_transition(state, action) is (state in sources)
    for target in State:
        assert can_transition(state, action, target) is (state in sources and target in targets)


def test_every_state_is_reachable_from_registration():
    reachable, frontier = {State.NEW}, [State.NEW]
    while frontier:
        current = frontier.pop()
        for action in actions_from(current):
            if action in TRANSITIONS:
                for target in TRANSITIONS[action][1]:
                    if target not in reachable:
                        reachable.add(target)
                        frontier.append(target)
    assert reachable == set(State)


def test_archived_is_final_and_allows_nothing():
    assert actions_from(State.ARCHIVED) == []


def test_unknown_action_is_refused():
    assert not can_transition(State.REGISTERED, "teleport")


def test_notes_allowed_on_closed_but_replies_only_on_open_cases():
    assert can_transition(State.CLOSED, Action.NOTE)
    assert not can_transition(State.CLOSED, Action.REPLY)
    assert all(can_transition(s, Action.REPLY) for s in OPEN_STATES)


def test_transfer_only_while_a_department_holds_the_work():
    assert STATELESS_ACTIONS[Action.TRANSFER] == {
        State.ASSIGNED, State.AWAITING_APPROVAL, State.PLAN_PROPOSED, State.AWAITING_CUSTOMER,
        State.IN_PROGRESS, State.ON_HOLD,
    }
