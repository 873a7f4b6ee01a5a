"""The engine's counts equal a plain-Python count over the same rows; bad files say so."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cohort_fixtures import PATIENTS, read

from cohortgate.custodian.cohort import engine as engine_module
from cohortgate.custodian.cohort.diseases import DISEASES
from cohortgate.custodian.cohort.engine import CohortError, Engine
from cohortgate.custodian.cohort.sql import DIMENSIONS, Population
from cohortgate.custodian.cohort.synth import INSTITUTION_IDS, generate
from cohortgate.policy import AGE_BANDS

EVERYONE = Population(tuple(d.orpha for d in DISEASES), INSTITUTION_IDS)
SOME = Population(("ORPHA:98896", "ORPHA:70", "ORPHA:905"), ("bch", "fdpch", "gzwcmc"))


def age_band(born: date, at: date) -> str:
    years = at.year - born.year - ((at.month, at.day) < (born.month, born.day))
    return next(label for label, low, high in AGE_BANDS if low <= years < high)


class PlainCohort:
    """The cohort's rows in Python dictionaries, and counting as a reader would do it by hand."""

    def __init__(self, path: Path) -> None:
        patient = ("patient_id", "sex", "province", "institution_id", "birth_date")
        diagnosis = ("patient_id", "orpha_code", "diagnosis_date", "onset_age_months")
        self.patient = {r[0]: r for r in read(path, "patient", *patient)}
        self.diagnosis = {r[0]: r for r in read(path, "diagnosis", *diagnosis)}
        self.withdrawn = {
            pid for pid, w in read(path, "consent", "patient_id", "withdrawal_date") if w
        }
        self.genes: defaultdict[str, set[str]] = defaultdict(set)
        for pid, gene in read(path, "variant", "patient_id", "gene_symbol"):
            self.genes[pid].add(gene)
        self.phenotypes: defaultdict[str, set[str]] = defaultdict(set)
        for pid, hpo in read(path, "phenotype", "patient_id", "hpo_id"):
            self.phenotypes[pid].add(hpo)

    def values(self, pid: str, dim: str) -> Iterable[str]:
        _, sex, province, institution, born = self.patient[pid]
        _, orpha, diagnosed, onset = self.diagnosis[pid]
        single: dict[str, Callable[[], str]] = {
            "disease": lambda: orpha,
            "sex": lambda: sex,
            "age_band": lambda: age_band(born, diagnosed),
            "province": lambda: province,
            "onset_year": lambda: str(born.year + (born.month - 1 + onset) // 12),
            "institution": lambda: institution,
        }
        if dim in single:
            return [single[dim]()]
        return sorted(self.genes[pid] if dim == "gene" else self.phenotypes[pid])

    def members(self, population: Population) -> list[str]:
        return [
            pid
            for pid, row in self.patient.items()
            if self.diagnosis[pid][1] in population.orpha_codes
            and row[3] in population.institutions
            and pid not in self.withdrawn
        ]

    def count(self, population: Population, dims: tuple[str, ...]) -> list[tuple[Any, int]]:
        counts: defaultdict[tuple[str, ...], set[str]] = defaultdict(set)
        for pid in self.members(population):
            keys: list[tuple[str, ...]] = [()]
            for dim in dims:
                keys = [(*key, value) for key in keys for value in self.values(pid, dim)]
            for key in keys:
                counts[key].add(pid)
        return sorted((key, len(pids)) for key, pids in counts.items())


@pytest.fixture(scope="module")
def plain(cohort_path: Path) -> PlainCohort:
    return PlainCohort(cohort_path)


@pytest.fixture()
def engine(cohort_path: Path) -> Any:
    with Engine.open(cohort_path) as opened:
        yield opened


@pytest.mark.parametrize("population", [EVERYONE, SOME], ids=["everyone", "some"])
@pytest.mark.parametrize("dim", sorted(DIMENSIONS))
def test_count_by_each_dimension(
    engine: Engine, plain: PlainCohort, population: Population, dim: str
) -> None:
    expected = plain.count(population, (dim,))
    assert expected  # the small cohort has patients in every dimension
    assert engine.count(population, (dim,)) == expected


@pytest.mark.parametrize(
    "dims", [("disease", "sex"), ("disease", "age_band", "sex"), ("disease", "gene"),
             ("institution", "phenotype"), ("gene", "phenotype")],
)  # fmt: skip
def test_count_by_combinations(engine: Engine, plain: PlainCohort, dims: tuple[str, ...]) -> None:
    assert engine.count(EVERYONE, dims) == plain.count(EVERYONE, dims)


def test_withdrawn_patients_are_not_counted(engine: Engine, plain: PlainCohort) -> None:
    assert 0 < len(plain.withdrawn) < PATIENTS
    assert engine.population_size(EVERYONE) == PATIENTS - len(plain.withdrawn)
    assert engine.count(EVERYONE, ()) == [((), PATIENTS - len(plain.withdrawn))]
    assert engine.population_size(SOME) == len(plain.members(SOME))


def test_additive_dimensions_add_up(engine: Engine) -> None:
    size = engine.population_size(EVERYONE)
    for dim in ("disease", "sex", "age_band", "province", "onset_year", "institution"):
        assert sum(n for _, n in engine.count(EVERYONE, (dim,))) == size, dim


def test_an_empty_population_is_empty(engine: Engine) -> None:
    assert engine.population_size(Population((), INSTITUTION_IDS)) == 0
    assert engine.count(Population(("ORPHA:98896",), ()), ("sex",)) == []
    assert engine.population_size(Population(("ORPHA:1",), INSTITUTION_IDS)) == 0


def test_unknown_dimension(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown dimension"):
        engine.count(EVERYONE, ("postcode",))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CohortError, match=r"custodian/cohort\.duckdb does not exist: generate"):
        Engine.open(tmp_path / "cohort.duckdb", display="custodian/cohort.duckdb")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "cohort.duckdb"
    path.write_text("patient_id,name\nP00000001,张三\n", encoding="utf-8")
    with pytest.raises(CohortError) as info:
        Engine.open(path, display="custodian/cohort.duckdb")
    assert str(info.value) == (
        "custodian/cohort.duckdb is not a DuckDB database: "
        "regenerate it with `cohortgate cohort generate`"
    )
    assert str(tmp_path) not in str(info.value)


def test_a_database_of_something_else(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()  # a valid, empty DuckDB database
    with pytest.raises(CohortError, match=r"other\.duckdb has no table patient: regenerate"):
        Engine.open(path, display="other.duckdb")


def test_a_missing_column(cohort_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {table: dict(columns) for table, columns in engine_module.COHORT_SCHEMA.items()}
    schema["visit"]["temperature_c"] = "DOUBLE"  # the code expects a column the file lacks
    monkeypatch.setattr(engine_module, "COHORT_SCHEMA", schema)
    with pytest.raises(CohortError, match="table visit has no column temperature_c: regenerate"):
        Engine.open(cohort_path, display="cohort.duckdb")


def test_a_column_of_the_wrong_type(cohort_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {table: dict(columns) for table, columns in engine_module.COHORT_SCHEMA.items()}
    schema["diagnosis"]["onset_age_months"] = "DOUBLE"
    monkeypatch.setattr(engine_module, "COHORT_SCHEMA", schema)
    with pytest.raises(
        CohortError, match=r"diagnosis\.onset_age_months is INTEGER, expected DOUBLE"
    ):
        Engine.open(cohort_path, display="cohort.duckdb")


def test_create_refuses_to_overwrite(cohort_path: Path) -> None:
    with pytest.raises(CohortError, match="already exists"):
        Engine.create(cohort_path)


def test_a_read_only_cohort_can_be_opened_twice(cohort_path: Path) -> None:
    with Engine.open(cohort_path) as first, Engine.open(cohort_path) as second:
        assert first.row_counts() == second.row_counts()


def test_rows_checks_names(engine: Engine) -> None:
    with pytest.raises(ValueError, match="no table"):
        list(engine.rows("visits"))
    with pytest.raises(ValueError, match="no column"):
        list(engine.rows("visit", ("temperature",)))


def test_load_requires_every_column(tmp_path: Path) -> None:
    with Engine.create(tmp_path / "c.duckdb") as created, pytest.raises(ValueError, match="load"):
        created.load("consent", {})


def test_a_cohort_of_one(tmp_path: Path) -> None:
    summary = generate(tmp_path / "one.duckdb", 1, 5)
    with Engine.open(summary.path) as opened:
        assert opened.row_counts()["patient"] == 1
