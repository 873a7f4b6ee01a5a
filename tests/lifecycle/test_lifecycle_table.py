"""The one table: every state reachable, the diagram drawn from it, the file names."""

from __future__ import annotations

from cohortgate.lifecycle.diagram import edge_label, mermaid
from cohortgate.models.lifecycle import (
    REQUIRED,
    ROLE_OF,
    TRANSITIONS,
    EventKind,
    Fact,
    Role,
    State,
    parse_event_name,
    transition,
)


def test_the_diagram_draws_every_transition_of_the_table() -> None:
    lines = mermaid().splitlines()
    assert lines[0] == "stateDiagram-v2"
    arrows = [line.strip() for line in lines[1:]]
    for t in TRANSITIONS:
        source = "[*]" if t.source is None else t.source.value
        assert f"{source} --> {t.target.value} : {edge_label(t)}" in arrows
    assert len(arrows) == len(TRANSITIONS) + 1  # and closed --> [*]


def test_labels_name_the_role_and_the_guards() -> None:
    grant = transition(State.TRACKING, EventKind.EXTENSION_GRANTED)
    assert grant is not None
    assert edge_label(grant) == (
        "extension-granted (data_management) [request pending, under extension limit, later end]"
    )
    verify = transition(State.EXPIRED, EventKind.DESTRUCTION_VERIFIED)
    assert verify is not None and edge_label(verify).endswith("after destruction-certificate")


def test_every_state_is_reached_and_every_step_is_used() -> None:
    assert {t.target for t in TRANSITIONS} == set(State)
    assert {t.trigger for t in TRANSITIONS} == set(Fact) | set(EventKind)
    assert set(ROLE_OF) == set(Fact) | set(EventKind) and set(REQUIRED) == set(EventKind)


def test_what_the_table_refuses() -> None:
    assert transition(State.DECIDED, Fact.RELEASE) is None  # release before agreements
    assert transition(State.TRACKING, EventKind.CLOSURE) is None
    assert transition(State.CLOSED, EventKind.OUTPUTS) is None
    assert transition(State.EXPIRED, EventKind.OUTPUTS) is None
    assert ROLE_OF[EventKind.VIOLATION] is Role.CHAIR


def test_event_file_names() -> None:
    assert parse_event_name("2027-05-01-extension-request.yaml") == (
        "2027-05-01",
        EventKind.EXTENSION_REQUEST,
        1,
    )
    assert parse_event_name("2027-05-01-outputs-2.yaml") == ("2027-05-01", EventKind.OUTPUTS, 2)
    assert parse_event_name("2027-05-01-destruction-certificate-12.yaml") == (
        "2027-05-01",
        EventKind.DESTRUCTION_CERTIFICATE,
        12,
    )
    for bad in ("2027-05-01-outputs-1.yaml", "2027-05-01-party.yaml", "outputs.yaml", "x.pdf"):
        assert parse_event_name(bad) is None, bad
