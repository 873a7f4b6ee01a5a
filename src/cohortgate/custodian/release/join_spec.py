"""What the recipient of a row-level release can join, read from the release itself (R28).

- a table with at most one row per person is a person table; its quasi-identifier columns
  (the catalog's privacy class) and its coded facts (a diagnosis: ``attacker_knows``) are
  what an attacker may know;
- a table with several rows per person is an event table, dated by its first quasi-identifier
  date column (or only counted when it has none); a column it shares with another event
  table whose values are unique there links its rows to that parent (a lab result to its
  visit), so that a dropped visit takes its lab results along;
- event times are relative to the first person table's date column (the birth date).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cohortgate.custodian.deid.timing import is_date
from cohortgate.custodian.release.prepared import Table
from cohortgate.custodian.risk.joined import EventTable, JoinSpec
from cohortgate.models.dataset import PrivacyClass, Variable, VariableType

KEY = "patient_id"  # the pseudonym column every released table carries


def attacker_knows(variable: Variable) -> bool:
    """Could someone who knows the child know this value? Quasi-identifiers, and the coded
    facts of a child (a diagnosis code, a category): a neighbour or a classmate's parent knows
    the child's disease. Measurements, free text and genetic data are not assumed known."""
    if variable.privacy is PrivacyClass.QUASI_IDENTIFIER:
        return True
    coded = variable.type in (VariableType.CODE, VariableType.CATEGORY, VariableType.BOOLEAN)
    return variable.privacy is PrivacyClass.SENSITIVE and coded


def join_spec(
    tables: Mapping[str, Table], known: Mapping[str, Mapping[str, Variable]]
) -> tuple[JoinSpec, dict[str, tuple[str, str]]] | None:
    """What the recipient can join (module doc), and each event table's parent link; None
    when the release has no quasi-identifier to join on. ``known``: per table, the released
    columns and the catalog variables they come from."""
    person: dict[str, list[str]] = {}
    events: list[EventTable] = []
    birth: tuple[str, str] | None = None
    for name, table in tables.items():
        ids = np.asarray(table[KEY], dtype=object)
        variables = known.get(name, {})
        qis = [
            c
            for c in table
            if c != KEY and c in variables and variables[c].privacy is PrivacyClass.QUASI_IDENTIFIER
        ]
        dates = [c for c in qis if is_date(np.asarray(table[c]))]
        if len(set(ids.tolist())) == len(ids):
            facts = [
                c for c in table if c != KEY and c in variables and attacker_knows(variables[c])
            ]
            if facts:
                person[name] = facts
            if birth is None and dates:
                birth = (name, dates[0])
        else:
            events.append(EventTable(name, dates[0] if dates else None))
    if not person and not events:
        return None
    if birth is not None:
        person = {t: [c for c in cols if (t, c) != birth] or cols for t, cols in person.items()}
    return JoinSpec.of(person, events, birth=birth, key=KEY), _parents(tables, events)


def _parents(
    tables: Mapping[str, Table], events: Sequence[EventTable]
) -> dict[str, tuple[str, str]]:
    """Event table -> (parent event table, link column): a shared column (not the pseudonym)
    whose values are unique in the parent."""
    parents: dict[str, tuple[str, str]] = {}
    for child in events:
        for parent in events:
            if parent.table == child.table or parent.table in parents:
                continue
            for column in tables[child.table]:
                if column == KEY or column not in tables[parent.table]:
                    continue
                values = np.asarray(tables[parent.table][column], dtype=object).tolist()
                if len(set(values)) == len(values):
                    parents[child.table] = (parent.table, column)
                    break
            if child.table in parents:
                break
    return parents


def cohort_ids_of(tables: Mapping[str, Table], person_key: str) -> dict[str, str]:
    """Pseudonym -> cohort id, from the vault-only ``person_key`` column of every table."""
    found: dict[str, str] = {}
    for table in tables.values():
        pairs = zip(
            np.asarray(table[KEY]).tolist(), np.asarray(table[person_key]).tolist(), strict=True
        )
        found.update({str(p): str(c) for p, c in pairs})
    return found
