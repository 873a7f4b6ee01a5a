"""The layout of a statistics file: deterministic, sorted, one cell per line."""

from __future__ import annotations

import json

from disclosure_cases import EXAMPLES, count_table, load_input, policy_of

from cohortgate.disclosure.output import dumps_stats
from cohortgate.disclosure.suppress import disclose


def written(case: str) -> str:
    data = load_input(EXAMPLES / case)
    tables = [count_table(spec) for spec in data["tables"]]
    return dumps_stats(disclose("example", data["population"], tables, policy_of(data)))


def test_the_same_input_gives_the_same_bytes() -> None:
    assert written("opensafely-disease-x-province") == written("opensafely-disease-x-province")


def test_it_is_json_with_sorted_keys_and_two_space_indent() -> None:
    text = written("opensafely-disease-x-province")
    data = json.loads(text)
    canonical = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)
    assert json.loads(canonical) == data
    assert text.endswith("}\n") and text.startswith('{\n  "dataset": "example",\n')
    assert list(data) == sorted(data)


def test_every_cell_is_on_a_line_of_its_own() -> None:
    text = written("opensafely-disease-x-province")
    data = json.loads(text)
    lines = text.splitlines()
    for table in data["tables"]:
        for cell in table["cells"]:
            line = json.dumps(cell, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
            assert sum(1 for x in lines if x.strip().rstrip(",") == line) >= 1


def test_chinese_stays_readable() -> None:
    data = load_input(EXAMPLES / "opensafely-rounding-protects")
    tables = [count_table(spec) for spec in data["tables"]]
    stats = disclose("example", data["population"], tables, policy_of(data))
    title = stats.tables[0].title.model_copy(update={"zh": "按疾病"})
    text = dumps_stats(
        stats.model_copy(update={"tables": [stats.tables[0].model_copy(update={"title": title})]})
    )
    assert "按疾病" in text
