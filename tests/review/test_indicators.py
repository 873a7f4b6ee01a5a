"""Computed indicators (R14, Table 1) from the repository's own catalog and statistics, and from
small hand-made inputs for the edge cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cohortgate.applications.load import load_application
from cohortgate.catalog.load import Catalog, load_catalog
from cohortgate.files.loading import load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.layout import Layout
from cohortgate.models.application import Application, Criteria, RequestedVariable
from cohortgate.models.blacklist import Blacklist, BlacklistEntry, BlacklistScope
from cohortgate.models.rubric import Rubric
from cohortgate.models.stats import DatasetStats
from cohortgate.scoring.indicators import (
    ComputedIndicator,
    CreditRecord,
    IndicatorInputs,
    compute_indicators,
)

TODAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def rubric(repo_root: Path) -> Rubric:
    loaded, findings = check_model(
        load_yaml_file(repo_root / "rubric/rubric.yaml", "rubric/rubric.yaml"), Rubric
    )
    assert findings == [] and loaded is not None
    return loaded


@pytest.fixture(scope="module")
def catalog(repo_layout: Layout) -> Catalog:
    loaded, findings = load_catalog(repo_layout)
    assert findings == []
    return loaded


def _app(lay: Layout, app_id: str) -> Application:
    loaded = load_application(lay, lay.submissions / "2026" / app_id)
    assert loaded.form is not None, loaded.findings
    return loaded.form.app


@pytest.fixture(scope="module")
def app1(repo_layout: Layout) -> Application:
    return _app(repo_layout, "A-2026-0001")


def _inputs(catalog: Catalog, **change: Any) -> IndicatorInputs:
    values: dict[str, Any] = {
        "datasets": {d.dataset.id: d.dataset for d in catalog.datasets},
        "stats": catalog.stats,
        "blacklist": Blacklist(),
        "today": TODAY,
    }
    values.update(change)
    return IndicatorInputs(**values)


def _by_id(computed: list[ComputedIndicator]) -> dict[str, ComputedIndicator]:
    return {c.id: c for c in computed}


def _text(ind: ComputedIndicator) -> str:
    return "\n".join(f"{e.zh}\n{e.en}" for e in ind.evidence)


def _with_inclusion(app: Application, **criteria: Any) -> Application:
    inclusion = app.selection.inclusion.model_copy(update=criteria)
    return app.model_copy(
        update={"selection": app.selection.model_copy(update={"inclusion": inclusion})}
    )


def test_example_application_from_the_real_catalog(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    computed = compute_indicators(rubric, app1, _inputs(catalog))
    assert [c.id for c in computed] == [i.id for i in rubric.computed_indicators()]
    got = {c.id: (c.value, c.score) for c in computed}
    assert got == {
        "data-volume": (3395, 5),  # ds-iem-labs population, published
        "diseases-covered": (2, 4),  # ORPHA:79254 and ORPHA:79282
        "protection-capability": (5, 5),  # 1 + 1 + MLPS-3 2 + training 1
        "credit-record": (0, 3),  # a newcomer
        "people-affected": (2615, 3),  # 1715 + 900
        "identifying-fields": (0, 5),  # no identifier requested
        "rarity": (900, 4),  # ORPHA:79282
        "provision-cost": (17.5, 4),  # the fee estimate's hours
    }
    people = _by_id(computed)["people-affected"]
    assert "catalog/stats/ds-iem-labs.json: ORPHA:79254 = 1715 (published, rounded to 5)" in [
        e.en for e in people.evidence
    ]
    assert people.evidence[-1].en == "2615 falls in the band ≤ 3000 → score 3 (rubric/rubric.yaml)"
    for ind in computed:
        assert ind.evidence and all(e.zh and e.en for e in ind.evidence)


def test_genetic_and_identifying_fields(
    rubric: Rubric, catalog: Catalog, repo_layout: Layout
) -> None:
    computed = _by_id(
        compute_indicators(rubric, _app(repo_layout, "A-2026-0002"), _inputs(catalog))
    )
    fields = computed["identifying-fields"]
    # patient_id 3 + sex 1 + four genetic fields × 2
    assert (fields.value, fields.score) == (12, 1)
    assert "ds-nmd-genetics/variant.hgvs_c is genetic → 2 point(s)" in _text(fields)


def test_unknown_variable_counts_as_a_direct_identifier(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    request = app1.datasets[0]
    extra = RequestedVariable(table="diagnosis", name="home_address", justification="x")
    app = app1.model_copy(
        update={"datasets": [request.model_copy(update={"variables": [*request.variables, extra]})]}
    )
    fields = _by_id(compute_indicators(rubric, app, _inputs(catalog)))["identifying-fields"]
    assert (fields.value, fields.score) == (3, 3)
    assert "not in the dictionary" in _text(fields)


def test_no_statistics_file(rubric: Rubric, catalog: Catalog, app1: Application) -> None:
    computed = _by_id(compute_indicators(rubric, app1, _inputs(catalog, stats={})))
    assert (computed["data-volume"].value, computed["data-volume"].score) == (0, 1)
    assert computed["people-affected"].value is None
    assert computed["people-affected"].score == rubric.scale.min
    assert computed["rarity"].value is None and computed["rarity"].score == 1
    assert "catalog/stats/ds-iem-labs.json does not exist" in _text(computed["rarity"])
    assert "could not be measured" in _text(computed["people-affected"])
    # diseases fall back to the catalog's own list
    assert computed["diseases-covered"].value == 2
    assert "catalog/datasets/ds-iem-labs.yaml diseases" in _text(computed["diseases-covered"])


def _all_suppressed(stats: DatasetStats, zeros_sensitive: bool = False) -> DatasetStats:
    tables = [
        table.model_copy(
            update={
                "cells": [
                    c.model_copy(update={"value": None, "suppressed": True}) for c in table.cells
                ],
                "total": 0,
            }
        )
        for table in stats.tables
    ]
    policy = stats.policy.model_copy(update={"zeros_sensitive": zeros_sensitive})
    return stats.model_copy(update={"tables": tables, "population": None, "policy": policy})


def test_all_cells_suppressed(rubric: Rubric, catalog: Catalog, app1: Application) -> None:
    real = catalog.stats["ds-iem-labs"]
    stats = {**catalog.stats, "ds-iem-labs": _all_suppressed(real)}
    computed = _by_id(compute_indicators(rubric, app1, _inputs(catalog, stats=stats)))
    # risk takes the upper bound (7 each), value and rarity the lower bound (1)
    assert (computed["people-affected"].value, computed["people-affected"].score) == (14, 5)
    assert (computed["rarity"].value, computed["rarity"].score) == (1, 1)
    assert (computed["data-volume"].value, computed["data-volume"].score) == (1, 2)
    assert computed["diseases-covered"].value == 2
    people = _text(computed["people-affected"])
    assert (
        "ORPHA:79254 is suppressed; counted as the range 1–7 below the threshold, using the "
        "upper bound 7" in people
    )
    assert "按阈值以下区间 1–7 计，取下界 1" in _text(computed["rarity"])
    hidden = {"1715", "900", "3395"}  # the values the hand-made file suppressed
    for ind in computed.values():
        assert not hidden & set(_text(ind).replace("=", " ").split()), ind.id


def test_zero_sensitive_suppression_counts_no_disease(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    stats = {**catalog.stats, "ds-iem-labs": _all_suppressed(catalog.stats["ds-iem-labs"], True)}
    computed = _by_id(compute_indicators(rubric, app1, _inputs(catalog, stats=stats)))
    assert computed["rarity"].value == 0
    assert computed["diseases-covered"].value == 0  # a suppressed cell may be empty


def test_no_diseases_in_the_selection(rubric: Rubric, catalog: Catalog, app1: Application) -> None:
    app = _with_inclusion(app1, diseases=[])
    computed = _by_id(compute_indicators(rubric, app, _inputs(catalog)))
    assert (computed["diseases-covered"].value, computed["diseases-covered"].score) == (5, 5)
    assert (computed["people-affected"].value, computed["people-affected"].score) == (3395, 2)
    assert (computed["rarity"].value, computed["rarity"].score) == (145, 3)  # ORPHA:35
    assert "no diseases selected: all of them" in _text(computed["diseases-covered"])


def test_exclusion_removes_diseases(rubric: Rubric, catalog: Catalog, app1: Application) -> None:
    app = _with_inclusion(app1, diseases=[])
    app = app.model_copy(
        update={
            "selection": app.selection.model_copy(
                update={"exclusion": Criteria(diseases=["ORPHA:79254"])}
            )
        }
    )
    computed = _by_id(compute_indicators(rubric, app, _inputs(catalog)))
    assert computed["diseases-covered"].value == 4
    assert computed["people-affected"].value == 3395 - 1715


def test_selected_disease_outside_the_datasets(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    app = _with_inclusion(app1, diseases=["ORPHA:70"])
    computed = _by_id(compute_indicators(rubric, app, _inputs(catalog)))
    assert (computed["diseases-covered"].value, computed["diseases-covered"].score) == (0, 1)
    assert computed["people-affected"].value == 0
    assert "ORPHA:70 not in the dataset, counted 0" in _text(computed["people-affected"])
    assert computed["rarity"].value is None and computed["rarity"].score == 1


def _entry(**fields: Any) -> BlacklistEntry:
    return BlacklistEntry(listed_on="2025-05-01", reason="leak", decided_by=["chair"], **fields)


def test_blacklisted_applicant_gets_the_minimum(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    blacklist = Blacklist(entries=[_entry(person_email=app1.applicant.email.capitalize())])
    credit = CreditRecord(on_time_outputs=5, verified_destructions=2)
    computed = _by_id(
        compute_indicators(rubric, app1, _inputs(catalog, blacklist=blacklist, credit=credit))
    )
    record = computed["credit-record"]
    assert (record.value, record.score) == (7, 1)
    assert "blacklisted since 2025-05-01 (R25)" in _text(record)


def test_blacklist_for_other_datasets_does_not_apply(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    entry = _entry(
        institution=app1.team[0].institution,
        scope=BlacklistScope.LISTED,
        datasets=["ds-raw-ehr"],
    )
    computed = _by_id(
        compute_indicators(rubric, app1, _inputs(catalog, blacklist=Blacklist(entries=[entry])))
    )
    assert computed["credit-record"].score == 3
    entry = entry.model_copy(update={"datasets": ["ds-iem-labs"]})
    computed = _by_id(
        compute_indicators(rubric, app1, _inputs(catalog, blacklist=Blacklist(entries=[entry])))
    )
    assert computed["credit-record"].score == 1  # a team member's institution


@pytest.mark.parametrize(
    ("credit", "points", "score"),
    [
        (CreditRecord(), 0, 3),
        (CreditRecord(on_time_outputs=3), 3, 4),  # exactly at the bound 3
        (CreditRecord(on_time_outputs=3, verified_destructions=1), 4, 5),
        (CreditRecord(late_outputs=1, missing_outputs=1), -3, 2),
        (CreditRecord(violations=1, earlier_approvals=4), -5, 1),
    ],
)
def test_credit_record_bands(
    rubric: Rubric,
    catalog: Catalog,
    app1: Application,
    credit: CreditRecord,
    points: int,
    score: int,
) -> None:
    record = _by_id(compute_indicators(rubric, app1, _inputs(catalog, credit=credit)))[
        "credit-record"
    ]
    assert (record.value, record.score) == (points, score)


def test_expired_training_and_weaker_protection(
    rubric: Rubric, catalog: Catalog, app1: Application
) -> None:
    # 2026-01-08 + 365 days = 2027-01-08: still current that day, not the next
    on_time = _inputs(catalog, today=date(2027, 1, 8))
    late = _inputs(catalog, today=date(2027, 1, 9))
    assert _by_id(compute_indicators(rubric, app1, on_time))["protection-capability"].value == 5
    assert _by_id(compute_indicators(rubric, app1, late))["protection-capability"].value == 4
    weak = app1.model_copy(
        update={
            "data_protection": app1.data_protection.model_copy(
                update={"encryption_at_rest": False, "certification": "none"}
            )
        }
    )
    protection = _by_id(compute_indicators(rubric, weak, _inputs(catalog)))["protection-capability"]
    assert (protection.value, protection.score) == (2, 3)
