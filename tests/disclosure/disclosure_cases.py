"""Build disclosure inputs from the small YAML files of ``examples/`` and compare outputs.

An example's ``input.yaml``::

    policy: ukbiobank            # a preset of cohortgate.policy
    population: 78
    tables:
      - id: disease_x_sex
        dims: {disease: [A, B], sex: [M, F]}
        counts: [[20, 3], [30, 25]]       # nested by dimension, categories in order
      - id: by_gene
        dims: {gene: [G1, G2]}
        additive: false                   # default true
        top: 3                            # a top list (non-additive, one dimension)
        counts: [40, 5]
    previous: {...}                       # optional: an earlier publication, as expected.yaml
    primary_only_recoverable: ["disease_x_sex A × F"]   # optional, see test_application_examples.py

``expected.yaml`` (and ``previous``) give the published numbers compactly: ``population``
(null when suppressed) and, per table id, the nested values with ``x`` for a suppressed cell;
a top list is a list of ``[code, value]`` in published order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cohortgate.disclosure.tables import CountTable
from cohortgate.files.loading import load_yaml_file
from cohortgate.models.common import Text
from cohortgate.models.stats import Category, Cell, DatasetStats, Dimension, StatTable
from cohortgate.policy import DISCLOSURE_PRESETS, DisclosurePolicy

EXAMPLES = Path(__file__).parent / "examples"
SUPPRESSED = "x"


def text(value: str) -> Text:
    return Text(zh=value, en=value)


def dimension(name: str, codes: list[Any]) -> Dimension:
    return Dimension(
        name=name,
        label=text(name),
        categories=[Category(code=str(c), label=text(str(c))) for c in codes],
    )


def count_table(spec: dict[str, Any]) -> CountTable:
    dims = tuple(dimension(name, codes) for name, codes in spec["dims"].items())
    counts = np.array(spec["counts"], dtype=np.int64).reshape(
        tuple(len(d.categories) for d in dims)
    )
    return CountTable(
        spec["id"], text(spec["id"]), dims, spec.get("additive", True), counts, spec.get("top")
    )


def load_input(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml_file(case / "input.yaml").data
    return data


def load_expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml_file(case / "expected.yaml").data
    return data


def policy_of(data: dict[str, Any]) -> DisclosurePolicy:
    return DISCLOSURE_PRESETS[data["policy"]]


def compact(stats: DatasetStats, tops: set[str]) -> dict[str, Any]:
    """The published numbers of ``stats`` in the layout of ``expected.yaml``."""
    tables: dict[str, Any] = {}
    for table in stats.tables:
        values = [SUPPRESSED if c.value is None else c.value for c in table.cells]
        if table.id in tops:
            tables[table.id] = [[c.key[0], v] for c, v in zip(table.cells, values, strict=True)]
            continue
        shape = tuple(len(d.categories) for d in table.dimensions)
        tables[table.id] = np.array(values, dtype=object).reshape(shape).tolist()
    return {"population": stats.population, "tables": tables}


def stats_from_compact(
    data: dict[str, Any], tables: list[CountTable], policy: DisclosurePolicy, dataset: str
) -> DatasetStats:
    """A published version written compactly (``previous`` of an example) as a model."""
    from cohortgate.disclosure.suppress import summary

    out = []
    for t in tables:
        if t.id not in data["tables"]:
            continue
        given = data["tables"][t.id]
        if t.top is not None:
            dims = [dimension(t.dimensions[0].name, [code for code, _ in given])]
            keys = [(str(code),) for code, _ in given]
            values: list[Any] = [v for _, v in given]
        else:
            dims = list(t.dimensions)
            keys = t.cell_keys()
            values = np.array(given, dtype=object).ravel().tolist()
        cells = [
            Cell(key=list(k), value=None if v == SUPPRESSED else v, suppressed=v == SUPPRESSED)
            for k, v in zip(keys, values, strict=True)
        ]
        total = sum(v for v in values if v != SUPPRESSED)
        out.append(
            StatTable(
                id=t.id,
                title=t.title,
                dimensions=dims,
                additive=t.additive,
                cells=cells,
                total=total,
            )
        )
    return DatasetStats(
        dataset=dataset, policy=summary(policy), population=data["population"], tables=out
    )
