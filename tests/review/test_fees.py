"""The fee estimate (R34): every amount checked by hand against ``rubric/rubric.yaml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cohortgate.applications.load import load_application
from cohortgate.catalog.load import load_catalog
from cohortgate.files.loading import load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.layout import Layout
from cohortgate.models.application import Application, DatasetRequest, DeliveryMethod
from cohortgate.models.dataset import Dataset, PrivacyLevel
from cohortgate.models.rubric import Rubric
from cohortgate.scoring.fees import estimate_fee


@pytest.fixture(scope="module")
def rubric(repo_root: Path) -> Rubric:
    loaded, findings = check_model(
        load_yaml_file(repo_root / "rubric/rubric.yaml", "rubric/rubric.yaml"), Rubric
    )
    assert findings == [] and loaded is not None
    return loaded


@pytest.fixture(scope="module")
def datasets(repo_layout: Layout) -> dict[str, Dataset]:
    catalog, _ = load_catalog(repo_layout, with_stats=False)
    return {d.dataset.id: d.dataset for d in catalog.datasets}


def _app(lay: Layout, app_id: str) -> Application:
    loaded = load_application(lay, lay.submissions / "2026" / app_id)
    assert loaded.form is not None, loaded.findings
    return loaded.form.app


def test_example_l1_aggregate_report(
    rubric: Rubric, datasets: dict[str, Dataset], repo_layout: Layout
) -> None:
    fee = estimate_fee(rubric, _app(repo_layout, "A-2026-0001"), datasets)
    # 1 dataset, 5 variables, L1, aggregate report:
    #   extraction (2 + 2×1 + 0.25×5) = 5.25 h × 200 = 1050
    #   cleaning   (2 + 3×1 + 0.5×5)  = 7.5 h  × 200 = 1500
    #   de-ident.  (1 + 1×1 + 0.25×5) × 1 = 3.25 h × 250 = 812.5 -> 813 (half up)
    #   transfer   (1 + 0.5×1) × 1 = 1.5 h × 150 = 225
    assert [(s.id, s.hours, s.amount) for s in fee.stages] == [
        ("extraction", 5.25, 1050),
        ("cleaning", 7.5, 1500),
        ("deidentification", 3.25, 813),
        ("transfer", 1.5, 225),
    ]
    assert (fee.fixed, fee.total, fee.hours, fee.currency) == (500, 4088, 17.5, "CNY")
    assert any("3.25 h × 250 CNY/h = 813 CNY" in e.en for e in fee.evidence)
    assert any("合计 4088 元" in e.zh for e in fee.evidence)


def test_example_l2_remote_desktop(
    rubric: Rubric, datasets: dict[str, Dataset], repo_layout: Layout
) -> None:
    fee = estimate_fee(rubric, _app(repo_layout, "A-2026-0002"), datasets)
    # 1 dataset, 8 variables, L2 (de-identification × 2), remote desktop (transfer × 3)
    assert [s.amount for s in fee.stages] == [1200, 1800, 2000, 675]
    assert (fee.total, fee.hours) == (6175, 27.5)


def test_level_and_delivery_multipliers(
    rubric: Rubric, datasets: dict[str, Dataset], repo_layout: Layout
) -> None:
    base = _app(repo_layout, "A-2026-0001")
    first = base.datasets[0]
    app = base.model_copy(
        update={
            "privacy_level": PrivacyLevel.L3,
            "delivery": DeliveryMethod.SAFE_ROOM,
            "datasets": [
                first.model_copy(update={"variables": first.variables[:2]}),
                DatasetRequest(dataset="ds-not-in-catalog", variables=first.variables[:1]),
            ],
        }
    )
    fee = estimate_fee(rubric, app, datasets)
    # 2 datasets, 3 variables, L3 (× 3 de-identification), safe room (× 4 transfer):
    #   extraction (2 + 4 + 0.75) = 6.75 h × 200 = 1350
    #   cleaning   (2 + 6 + 1.5)  = 9.5 h  × 200 = 1900
    #   de-ident.  (1 + 2 + 0.75) × 3 = 11.25 h × 250 = 2812.5 -> 2813
    #   transfer   (1 + 1 + 0) × 4 = 8 h × 150 = 1200
    assert [(s.hours, s.amount) for s in fee.stages] == [
        (6.75, 1350),
        (9.5, 1900),
        (11.25, 2813),
        (8.0, 1200),
    ]
    assert (fee.total, fee.hours) == (7763, 35.5)
    assert "ds-not-in-catalog (1) [not in the catalog" in fee.evidence[0].en
