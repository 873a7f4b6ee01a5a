"""A small catalog for site tests: fixture YAML, statistics built from the models, a root.

The root holds copies of the repository's ``mkdocs.yml``, ``mkdocs.en.yml`` and ``site/``, so
the tests build the real configuration on a small catalog.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.models.common import Text
from cohortgate.models.stats import (
    Category,
    Cell,
    DatasetStats,
    Dimension,
    DisclosureSummary,
    StatTable,
)
from cohortgate.policy import AGE_BANDS, DEFAULT_DISCLOSURE, DISCLOSURE_PRESETS
from cohortgate.site.apply_form import LICENSES, VENDOR

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MERMAID = REPO / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"


def summary() -> DisclosureSummary:
    p = DISCLOSURE_PRESETS[DEFAULT_DISCLOSURE]
    return DisclosureSummary(
        preset=p.name,
        threshold=p.threshold,
        rounding=p.rounding,
        zeros_sensitive=p.zeros_sensitive,
        protection_width=p.protection_width,
    )


def dim(name: str, zh: str, en: str, cats: list[tuple[str, str, str]]) -> Dimension:
    return Dimension(
        name=name,
        label=Text(zh=zh, en=en),
        categories=[Category(code=c, label=Text(zh=z, en=e)) for c, z, e in cats],
    )


SEX = dim("sex", "性别", "Sex", [("F", "女", "female"), ("M", "男", "male")])
AGE = dim(
    "age_band", "诊断年龄（岁）", "Age at diagnosis (years)", [(b, b, b) for b, _, _ in AGE_BANDS]
)


def table(
    id: str,
    zh: str,
    en: str,
    dims: list[Dimension],
    values: dict[tuple[str, ...], int | None],
    additive: bool = True,
) -> StatTable:
    cells = [Cell(key=list(k), value=v, suppressed=v is None) for k, v in values.items()]
    total = sum(v for v in values.values() if v is not None)
    return StatTable(
        id=id,
        title=Text(zh=zh, en=en),
        dimensions=dims,
        additive=additive,
        cells=cells,
        total=total,
    )


def pku_stats() -> DatasetStats:
    bands = [b for b, _, _ in AGE_BANDS]
    ages = dict(zip(bands, [None, 40, 35, None, 20, 0], strict=True))
    women = dict(zip(bands, [None, 20, 15, None, 10, 0], strict=True))
    men = dict(zip(bands, [None, 20, 20, None, 10, 0], strict=True))
    cross: dict[tuple[str, ...], int | None] = {("F", b): v for b, v in women.items()}
    cross.update({("M", b): v for b, v in men.items()})
    return DatasetStats(
        dataset="ds-pku",
        policy=summary(),
        population=120,
        tables=[
            table("by_sex", "按性别", "By sex", [SEX], {("F",): 60, ("M",): 55}),
            table(
                "by_age_band",
                "按诊断年龄",
                "By age at diagnosis",
                [AGE],
                {(k,): v for k, v in ages.items()},
            ),
            table(
                "by_sex_age_band",
                "按性别和诊断年龄",
                "By sex and age at diagnosis",
                [SEX, AGE],
                cross,
            ),
            table(
                "top_phenotypes",
                "常见表型",
                "Common phenotypes",
                [
                    dim(
                        "phenotype",
                        "表型",
                        "Phenotype",
                        [
                            ("HP:0001249", "智力障碍", "Intellectual disability"),
                            ("HP:0001250", "癫痫发作", "Seizure"),
                        ],
                    )
                ],
                {("HP:0001249",): 45, ("HP:0001250",): None},
                additive=False,
            ),
        ],
    )


def sma_stats() -> DatasetStats:
    inst = dim(
        "institution",
        "贡献机构",
        "Institution",
        [
            ("shch", "上海市儿童医院", "Shanghai Children's Hospital"),
            ("bch", "首都医科大学附属北京儿童医院", "Beijing Children's Hospital"),
            ("wch", "四川大学华西第二医院", "West China Second University Hospital"),
        ],
    )
    return DatasetStats(
        dataset="ds-sma",
        policy=summary(),
        population=None,
        tables=[
            table(
                "by_institution",
                "按贡献机构",
                "By institution",
                [inst],
                {("shch",): 10, ("bch",): None, ("wch",): None},
            ),
        ],
    )


def write_stats(lay: Layout, stats: DatasetStats) -> None:
    lay.stats.mkdir(parents=True, exist_ok=True)
    path = lay.stats / f"{stats.dataset}.json"
    path.write_text(stats.model_dump_json(indent=2) + "\n", encoding="utf-8")


def make_root(root: Path, catalog: Path | None = None) -> Layout:
    """A repository root with the real site configuration and the fixture catalog, or with
    ``catalog`` (a whole catalog folder, statistics included) instead."""
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "site", root / "site")
    shutil.copytree(catalog or FIXTURES / "catalog", root / "catalog")
    for script in [MERMAID.relative_to(REPO), *VENDOR.values(), *LICENSES.values()]:
        target = root / script
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / script).is_file():
            target.symlink_to(REPO / script)
        else:  # unit tests need a file, not the script (the browser tests need the real one)
            target.write_text("/* stand-in for a vendored script in unit tests */\n", "utf-8")
    lay = Layout(root)
    if catalog is None:
        write_stats(lay, pku_stats())
        write_stats(lay, sma_stats())
    return lay


def no_audit(lay: Layout) -> list[Finding]:
    """The fixture statistics are hand-made; the audit has its own tests."""
    return []


def synthetic_catalog(root: Path, datasets: int, variables: int, seed: int = 7) -> Layout:
    """A large catalog (for measuring the build): ``datasets`` x ``variables``, with stats."""
    import random

    import yaml

    rng = random.Random(seed)
    lay = make_root(root)
    for path in lay.datasets.glob("*.yaml"):
        path.unlink()
    for path in lay.stats.glob("*.json"):
        path.unlink()
    diseases = [
        ("ORPHA:716", "苯丙酮尿症", "Phenylketonuria"),
        ("ORPHA:70", "脊髓性肌萎缩症", "Proximal spinal muscular atrophy"),
        ("ORPHA:98896", "杜氏肌营养不良", "Duchenne muscular dystrophy"),
        ("ORPHA:355", "戈谢病", "Gaucher disease"),
        ("ORPHA:324", "法布雷病", "Fabry disease"),
        ("ORPHA:586", "囊性纤维化", "Cystic fibrosis"),
    ]
    classes = ["quasi_identifier", "sensitive", "genetic", "other", "sensitive"]
    for n in range(datasets):
        chosen = rng.sample(diseases, 2)
        ds_id = f"ds-synthetic-{n:03d}"
        tables = []
        for t_i in range(4):
            tables.append(
                {
                    "source": f"table_{t_i}",
                    "label": {"zh": f"表{t_i}", "en": f"Table {t_i}"},
                    "variables": [
                        {
                            "name": f"var_{t_i}_{v:03d}",
                            "label": {"zh": f"检验指标{v}", "en": f"Laboratory measure {v}"},
                            "type": "decimal",
                            "privacy": classes[v % len(classes)],
                            "unit": "umol/L",
                            "description": {
                                "zh": "合成变量，用于测量构建时间。",
                                "en": "A synthetic variable for measuring the build.",
                            },
                        }
                        for v in range(variables // 4)
                    ],
                }
            )
        doc = {
            "id": ds_id,
            "title": {"zh": f"{chosen[0][1]}合成数据集 {n}", "en": f"{chosen[0][2]} dataset {n}"},
            "description": {"zh": "合成数据集。", "en": "A synthetic dataset."},
            "data_class": "research",
            "diseases": [{"orpha": o, "name": {"zh": z, "en": e}} for o, z, e in chosen],
            "institutions": ["shch", "bch"] if n % 2 else ["bch", "wch"],
            "privacy_levels": ["L1", "L2"] if n % 3 else ["L1"],
            "use_conditions": [{"code": "DUO:0000042"}],
            "keywords": [chosen[0][1]],
            "tables": tables,
        }
        path = lay.datasets / f"{ds_id}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
        disease_dim = dim("disease", "疾病", "Disease", list(chosen))
        pheno = dim(
            "phenotype",
            "表型",
            "Phenotype",
            [(f"HP:{i:07d}", f"表型{i}", f"Phenotype {i}") for i in range(1, 16)],
        )
        prov = dim(
            "province",
            "省份",
            "Province",
            [(str(c), f"省{c}", f"Province {c}") for c in range(11, 21)],
        )

        def draw(k: int) -> int | None:
            value = rng.choice([None, 10, 15, 20, 35, 60, 85])
            return value

        tables_stats = [
            table(
                "by_disease",
                "按疾病",
                "By disease",
                [disease_dim],
                {(c.code,): draw(0) for c in disease_dim.categories},
            ),
            table("by_sex", "按性别", "By sex", [SEX], {("F",): draw(0), ("M",): draw(0)}),
            table(
                "by_age_band",
                "按年龄",
                "By age",
                [AGE],
                {(c.code,): draw(0) for c in AGE.categories},
            ),
            table(
                "by_sex_age_band",
                "按性别和年龄",
                "By sex and age",
                [SEX, AGE],
                {(s.code, a.code): draw(0) for s in SEX.categories for a in AGE.categories},
            ),
            table(
                "by_province",
                "按省份",
                "By province",
                [prov],
                {(c.code,): draw(0) for c in prov.categories},
            ),
            table(
                "top_phenotypes",
                "常见表型",
                "Common phenotypes",
                [pheno],
                {(c.code,): draw(0) for c in pheno.categories},
                additive=False,
            ),
        ]
        write_stats(
            lay, DatasetStats(dataset=ds_id, policy=summary(), population=500, tables=tables_stats)
        )
    return lay
