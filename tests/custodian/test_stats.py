"""Each dataset's statistics from a real cohort: counts, categories, labels, files, the CLI."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from cohortgate.cli import audit_stats as audit_cli
from cohortgate.cli import stats as stats_cli
from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.cohort.engine import MISSING, Engine
from cohortgate.custodian.cohort.sql import Population
from cohortgate.custodian.cohort.stats import (
    CachedCounts,
    Labels,
    committed_version,
    count_tables,
    dataset_stats,
    ontology_labels,
    pooled_years,
    write_stats,
)
from cohortgate.disclosure.audit import audit_catalog_stats, audit_stats
from cohortgate.layout import Layout
from cohortgate.models.common import Text
from cohortgate.models.dataset import Dataset
from cohortgate.models.regions import PROVINCES
from cohortgate.policy import AGE_BANDS, DISCLOSURE_PRESETS, TOP_GENES

OPENSAFELY = DISCLOSURE_PRESETS["opensafely"]
CODES = [d.orpha for d in DISEASES[:3]]
INSTITUTIONS = ["bch", "fdpch", "shch"]


def dataset(sources: Sequence[str] = ("patient", "diagnosis"), id: str = "ds-test") -> Dataset:
    variable = {
        "name": "patient_id",
        "label": {"zh": "编号", "en": "ID"},
        "type": "string",
        "privacy": "direct_identifier",
    }
    return Dataset.model_validate(
        {
            "id": id,
            "title": {"zh": "测试", "en": "Test"},
            "description": {"zh": "测试数据集", "en": "A test dataset"},
            "data_class": "research",
            "diseases": [
                {"orpha": d.orpha, "name": {"zh": d.zh, "en": d.name}} for d in DISEASES[:3]
            ],
            "institutions": INSTITUTIONS,
            "privacy_levels": ["L1"],
            "use_conditions": [{"code": "DUO:0000042"}],
            "tables": [
                {"source": s, "label": {"zh": s, "en": s}, "variables": [variable]} for s in sources
            ],
        }
    )


LABELS = Labels(
    {"bch": Text(zh="北京儿童医院", en="Beijing Children's Hospital")},
    lambda hpo: Text(zh=hpo, en=f"term {hpo}"),
)


class FakeEngine:
    """Counting over a few hand-written patients, with the engine's signature."""

    def __init__(self, patients: list[dict[str, str]]) -> None:
        self.patients = patients

    def count(
        self, population: Population, dims: Sequence[str]
    ) -> list[tuple[tuple[str, ...], int]]:
        counter = Counter(
            tuple(p.get(d, MISSING) for d in dims)
            for p in self.patients
            if p["disease"] in population.orpha_codes
        )
        return sorted(counter.items())

    def population_size(self, population: Population) -> int:
        return sum(p["disease"] in population.orpha_codes for p in self.patients)


def patients(n: int, **fixed: str) -> list[dict[str, str]]:
    base = {
        "disease": CODES[0],
        "sex": "M",
        "age_band": "1-4",
        "province": "31",
        "onset_year": "2015",
        "institution": "bch",
    }
    return [{**base, **fixed} for _ in range(n)]


def test_categories_are_fixed_lists_plus_what_the_data_add() -> None:
    rows = patients(40) + patients(30, sex="F", province="99", age_band=MISSING)
    size, tables = count_tables(dataset(), FakeEngine(rows), OPENSAFELY, LABELS)
    assert size == 70
    by_id = {t.id: t for t in tables}
    codes = {t.id: [c.code for c in t.dimensions[0].categories] for t in tables}
    assert codes["by_disease"] == CODES
    assert codes["by_sex"] == ["M", "F"]
    assert codes["by_age_band"] == [label for label, _, _ in AGE_BANDS] + [MISSING]
    assert codes["by_province"] == [*PROVINCES, "99"]
    assert codes["by_institution"] == INSTITUTIONS
    assert by_id["by_institution"].dimensions[0].categories[0].label.zh == "北京儿童医院"
    assert by_id["by_sex"].dimensions[0].categories[1].label == Text(zh="女", en="Female")
    for table in tables:
        assert table.additive and int(table.counts.sum()) == size
    assert by_id["disease_x_province"].counts.shape == (3, len(PROVINCES) + 1)
    assert "by_gene" not in by_id and "top_phenotypes" not in by_id


def test_onset_years_pool_small_ends() -> None:
    rows = [
        (("2003",), 1),
        (("2004",), 2),
        (("2005",), 6),
        (("2006",), 40),
        (("2007",), 3),
        (("2008",), 2),
        (("2009",), 4),
        ((MISSING,), 9),
    ]
    categories, recode = pooled_years(rows, OPENSAFELY)
    assert [c.code for c in categories] == ["<=2005", "2006", ">=2007", MISSING]
    assert categories[0].label == Text(zh="2005年及以前", en="2005 or earlier")
    assert recode["2003"] == "<=2005" and recode["2008"] == ">=2007"


def test_onset_years_all_small_become_one_category() -> None:
    categories, _ = pooled_years([(("2010",), 2), (("2011",), 3)], OPENSAFELY)
    assert [c.code for c in categories] == ["<=2011"]


def test_the_statistics_of_a_real_cohort_pass_the_audit(cohort_path: Path) -> None:
    with Engine.open(cohort_path) as engine:
        stats = dataset_stats(
            dataset(("patient", "diagnosis", "variant")), engine, OPENSAFELY, LABELS
        )
        population = Population(tuple(CODES), tuple(INSTITUTIONS))
        size = engine.population_size(population)
    assert stats.population == OPENSAFELY.round(size)
    assert audit_stats(stats) == []
    ids = [t.id for t in stats.tables]
    assert ids[:9] == [
        "by_disease",
        "by_sex",
        "by_age_band",
        "by_province",
        "by_onset_year",
        "by_institution",
        "disease_x_sex",
        "disease_x_age_band",
        "disease_x_province",
    ]
    assert "by_gene" in ids and "top_phenotypes" not in ids
    genes = stats.tables[ids.index("by_gene")]
    assert 0 < len(genes.cells) <= TOP_GENES and not genes.additive
    values = [c.value for c in genes.cells]
    assert values == sorted(values, reverse=True)  # type: ignore[type-var]


def test_written_files_are_deterministic_and_audited(cohort_path: Path, tmp_path: Path) -> None:
    lay = Layout(tmp_path)
    texts = []
    for _ in range(2):
        with Engine.open(cohort_path) as engine:
            stats = dataset_stats(dataset(("patient", "phenotype")), engine, OPENSAFELY, LABELS)
        path = write_stats(lay, stats)
        texts.append(path.read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
    assert path == tmp_path / "catalog" / "stats" / "ds-test.json"
    assert audit_catalog_stats(lay) == []
    assert "top_phenotypes" in texts[0]


# -- the commands ---------------------------------------------------------------------------


def run(module: Any, argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    args = parser.parse_args(argv)
    args.debug = False
    code: int = module.run(args)
    return code


INSTITUTIONS_YAML = """\
institutions:
""" + "".join(
    f"""  - id: {i}
    name: {{zh: 医院{i}, en: Hospital {i}}}
    email_domains: [{i}.example.org]
    member: true
    province: "11"
"""
    for i in INSTITUTIONS
)


@pytest.fixture
def repo(tmp_path: Path) -> Layout:
    lay = Layout(tmp_path)
    lay.datasets.mkdir(parents=True)
    lay.institutions.write_text(INSTITUTIONS_YAML, encoding="utf-8")
    data = dataset(("patient", "diagnosis")).model_dump(mode="json", exclude_none=True)
    (lay.datasets / "ds-test.yaml").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return lay


def test_stats_writes_and_audits(
    repo: Layout, cohort_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(stats_cli, ["--root", str(repo.root), "--cohort", str(cohort_path)]) == 0
    out = capsys.readouterr().out
    assert "catalog/stats/ds-test.json: population" in out and "no findings" in out
    assert run(audit_cli, ["--root", str(repo.root)]) == 0


def test_stats_refuses_a_missing_or_foreign_cohort(
    repo: Layout, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(stats_cli, ["--root", str(repo.root), "--cohort", str(tmp_path / "no.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err
    foreign = tmp_path / "cohort.duckdb"
    foreign.write_text("patient_id,sex\nP1,M\n", encoding="utf-8")
    assert run(stats_cli, ["--root", str(repo.root), "--cohort", str(foreign)]) == 2
    err = capsys.readouterr().err
    assert "not a DuckDB database" in err and "Traceback" not in err
    assert not repo.stats.exists()


def test_audit_stats_finds_a_hand_edited_cell(
    repo: Layout, cohort_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(stats_cli, ["--root", str(repo.root), "--cohort", str(cohort_path)]) == 0
    capsys.readouterr()
    path = repo.stats / "ds-test.json"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if '"value": null' in line)
    lines[number] = lines[number].replace(
        '"suppressed": true, "value": null', '"suppressed": false, "value": 3'
    )
    path.write_text("".join(lines), encoding="utf-8")
    assert run(audit_cli, ["--root", str(repo.root)]) == 1
    out = capsys.readouterr().out
    assert f"catalog/stats/ds-test.json:{number + 1}:" in out and "privacy.small-cell" in out
    assert "hint: Statistics files are written by `cohortgate stats`" in out
    assert run(audit_cli, ["--root", str(repo.root), "--format", "json"]) == 1
    as_json = json.loads(capsys.readouterr().out)
    assert as_json == [f.to_dict() for f in audit_catalog_stats(repo)]
    assert run(audit_cli, ["--root", str(repo.root), "--format", "github"]) == 1
    assert "::error file=catalog/stats/ds-test.json" in capsys.readouterr().out


def test_audit_stats_rejects_an_unknown_revision(
    repo: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    from git import Repo

    assert run(audit_cli, ["--root", str(repo.root), "--against", "HEAD"]) == 2
    assert "not in a git repository" in capsys.readouterr().err
    Repo.init(repo.root).close()
    assert run(audit_cli, ["--root", str(repo.root), "--against", "nope"]) == 2
    assert "unknown git revision 'nope'" in capsys.readouterr().err


def test_datasets_with_the_same_population_share_their_queries() -> None:
    engine = FakeEngine(patients(30))
    calls: list[tuple[str, ...]] = []
    original = engine.count

    def counting(population: Population, dims: Sequence[str]) -> list[tuple[tuple[str, ...], int]]:
        calls.append(tuple(dims))
        return original(population, dims)

    engine.count = counting  # type: ignore[method-assign]
    cached = CachedCounts(engine)
    first = count_tables(dataset(), cached, OPENSAFELY, LABELS)
    queries = len(calls)
    second = count_tables(dataset(id="ds-other"), cached, OPENSAFELY, LABELS)
    assert len(calls) == queries > 0
    assert first[0] == second[0]
    assert [t.counts.tolist() for t in first[1]] == [t.counts.tolist() for t in second[1]]


def test_phenotype_labels_come_from_the_ontology() -> None:
    label = ontology_labels()
    assert label("HP:0001250") == Text(zh="Seizure", en="Seizure")
    assert label("HP:9999999") == Text(zh="HP:9999999", en="HP:9999999")


def test_the_committed_version_is_the_baseline(tmp_path: Path) -> None:
    from git import Actor, Repo

    from cohortgate.disclosure.suppress import summary
    from cohortgate.models.stats import DatasetStats

    lay = Layout(tmp_path)
    path = tmp_path / "catalog" / "stats" / "ds-test.json"
    version = DatasetStats(
        dataset="ds-test", policy=summary(OPENSAFELY), population=None, tables=[]
    )
    write_stats(lay, version)
    assert committed_version(lay, path) is None  # not a repository
    repo = Repo.init(tmp_path)
    try:
        assert committed_version(lay, path) is None  # no commit yet
        repo.index.add(["catalog/stats/ds-test.json"])
        who = Actor("Custodian", "custodian@example.org")
        repo.index.commit("stats", author=who, committer=who)
        path.write_text("{}", encoding="utf-8")  # whatever the working copy holds
        assert committed_version(lay, path) == version
    finally:
        repo.close()
