"""The jieba user dictionary of the search index: medical terms kept whole.

jieba's default dictionary splits 苯丙酮尿症 into 苯丙酮/尿症 and 脊髓性肌萎缩症 into
脊髓/性/肌萎缩/症; a search for the disease then matches poorly. The dictionary lists every
Chinese disease name and keyword of the catalog, and the Chinese labels of the disease and
phenotype categories of its statistics, one term a line in jieba's ``word frequency tag``
format. Ordinary labels (出生日期) stay out: kept whole, they would hide their parts (日期)
from search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cohortgate.models.dataset import Dataset
from cohortgate.models.stats import DatasetStats

_CJK = re.compile(r"[\u3400-\u9fff]")
_SPLIT = re.compile(r"[\s,，、;；:：()（）/·]+")
# High enough that jieba keeps the term whole against its general dictionary's splits.
FREQUENCY = 20000
MAX_LENGTH = 16
TERM_DIMENSIONS = ("disease", "phenotype")  # longer labels are phrases, not terms


def terms_of(datasets: Iterable[Dataset], stats: Iterable[DatasetStats]) -> set[str]:
    texts: list[str] = []
    for ds in datasets:
        texts += [d.name.zh for d in ds.diseases]
        texts += ds.keywords
    for st in stats:
        for table in st.tables:
            for dim in table.dimensions:
                if dim.name in TERM_DIMENSIONS:
                    texts += [c.label.zh for c in dim.categories]
    terms: set[str] = set()
    for text in texts:
        for part in _SPLIT.split(text):
            if 2 <= len(part) <= MAX_LENGTH and _CJK.search(part):
                terms.add(part)
    return terms


def render(terms: Iterable[str]) -> str:
    return "".join(f"{term} {FREQUENCY} nz\n" for term in sorted(terms))
