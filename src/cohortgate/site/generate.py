"""Write the docs trees ``build/docs/zh`` and ``build/docs/en``: prose, catalog pages, charts.

The trees are written into a fresh staging directory and swapped in at the end, so a failed or
interrupted run leaves the previous trees whole (the whole tree is the atomic unit; writing each
of thousands of small files through a temp file and fsync would dominate the run). Statistics
reach the site only after ``audit_catalog_stats`` passes; the pages use only published values.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cohortgate.catalog.load import Catalog, load_catalog
from cohortgate.files import transaction
from cohortgate.findings import Finding, Severity, has_errors
from cohortgate.layout import Layout
from cohortgate.review.register import Notice
from cohortgate.site import (
    apply_form,
    dictionary,
    pages_apply,
    pages_catalog,
    pages_dataset,
    pages_reference,
    pages_review,
    pages_transparency,
    prose,
    transparency_data,
)
from cohortgate.site import codes as C
from cohortgate.site.html import front_matter
from cohortgate.site.labels import LANGS, t

Audit = Callable[[Layout], list[Finding]]
MERMAID_DIST = Path("node_modules/mermaid/dist/mermaid.min.js")


@dataclass
class Generated:
    docs: Path
    pages: int = 0
    charts: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # 'load', 'audit', 'pages'


def docs_dir(lay: Layout) -> Path:
    return lay.build / "docs"


def dictionary_path(lay: Layout) -> Path:
    return docs_dir(lay) / "medical_dict.txt"


def default_audit(lay: Layout) -> list[Finding]:
    from cohortgate.disclosure.audit import audit_catalog_stats  # late: scipy and highspy

    return list(audit_catalog_stats(lay, memo=True))


def _hpo_names() -> Callable[[str], str | None]:
    try:
        from cohortgate.ontology import load_index

        index = load_index()
    except (ImportError, OSError):  # the pages still list the ids
        return lambda _id: None

    def name(hpo_id: str) -> str | None:
        term = index.resolve_hpo(hpo_id)
        return term.name if term else None

    return name


def check_inputs(
    lay: Layout, audit: Audit, seconds: dict[str, float]
) -> tuple[Catalog, list[Finding]]:
    started = time.perf_counter()
    catalog, findings = load_catalog(lay)
    seconds["load"] = time.perf_counter() - started
    known = {d.dataset.id for d in catalog.datasets}
    for ds_id in sorted(set(catalog.stats) - known):
        findings.append(
            C.SITE_STATS_UNKNOWN_DATASET.at(f"catalog/stats/{ds_id}.json", dataset=ds_id)
        )
    if catalog.stats or any(lay.stats.glob("*.json")):
        started = time.perf_counter()
        problems = audit(lay)
        seconds["audit"] = time.perf_counter() - started
        findings += problems
        errors = sum(f.severity is Severity.ERROR for f in problems)
        if errors:
            findings.append(C.SITE_STATS_REFUSED.at("catalog/stats", errors=errors))
    return catalog, findings


def generate(lay: Layout, audit: Audit | None = None) -> tuple[Generated | None, list[Finding]]:
    """Write ``build/docs``; ``None`` and the findings when an input is wrong."""
    seconds: dict[str, float] = {}
    catalog, findings = check_inputs(lay, audit or default_audit, seconds)
    started = time.perf_counter()
    pages, problems = prose.load(lay)
    findings += problems
    mermaid = lay.root / MERMAID_DIST
    if prose.uses_mermaid(pages) and not mermaid.is_file():
        findings.append(C.SITE_VENDOR_MISSING.at(MERMAID_DIST.as_posix(), script=MERMAID_DIST))
    for source in [*apply_form.VENDOR.values(), *apply_form.LICENSES.values()]:  # the form's
        if not (lay.root / source).is_file():
            findings.append(C.SITE_VENDOR_MISSING.at(source.as_posix(), script=source))
    if has_errors(findings):
        return None, findings
    final = docs_dir(lay)
    stage = final.with_name(final.name + ".new")
    transaction.recover_dir(final, stage)  # and what a killed run left
    result = Generated(final, seconds=seconds)
    institutions = {i.id: i for i in catalog.institutions}
    datasets = sorted((d.dataset for d in catalog.datasets), key=lambda d: d.id)
    hpo_name = _hpo_names()
    schemas = sorted(lay.schemas.glob("*.json")) if lay.schemas.is_dir() else []
    apply = pages_apply.context(lay, catalog)
    notices = _notices(lay)
    review, problems = pages_review.load(lay, notices)
    findings += problems
    if has_errors(problems):
        return None, findings
    transparency, problems = transparency_data.load(lay, notices, date.today())
    findings += problems
    if has_errors(problems):
        return None, findings
    for lang in LANGS:
        root = stage / lang
        _copy_tree(lay.site_sources / "assets", root / "assets")
        if prose.uses_mermaid(pages) or mermaid.is_file():  # review/lifecycle.md draws too
            _copy(mermaid, root / prose.MERMAID_JS)
        for page in pages:
            if page.lang == lang:
                _write(root / page.path, page.text)
                result.pages += 1
        for schema in schemas:
            _copy(schema, root / "schemas" / schema.name)
        _write(root / "schemas" / "index.md", schemas_page(schemas, lang))
        _write(root / "reference" / "errors.md", pages_reference.page(lang))
        for target in [*apply_form.VENDOR, *apply_form.LICENSES]:
            _write_bytes(root / target, apply_form.vendored(lay.root, target))
        for path, text in pages_apply.pages(apply, lang).items():
            _write(root / path, text)
            result.pages += path.endswith(".md")
        known = {d.id for d in datasets}
        for path, text in pages_review.pages(review, institutions, known, lang).items():
            _write(root / path, text)
            result.pages += 1
        for path, text in pages_transparency.pages(
            transparency, institutions, lang, mermaid_script=mermaid.is_file()
        ).items():
            _write(root / path, text)
            result.pages += path.endswith(".md")
            result.charts += path.endswith(".svg")
        _write(
            root / "datasets" / "index.md",
            pages_catalog.page(datasets, institutions, catalog.stats, lang),
        )
        result.pages += 3
        for ds in datasets:
            stats = catalog.stats.get(ds.id)
            text, charts = pages_dataset.page(ds, institutions, stats, lang, hpo_name)
            _write(root / "datasets" / f"{ds.id}.md", text)
            result.pages += 1
            for chart in charts:
                _write(root / chart.path, chart.svg)
            result.charts += len(charts)
            if stats is not None:  # the validated, audited content: nothing else
                download = root / "downloads" / "stats" / f"{ds.id}.json"
                _write(download, stats.model_dump_json(indent=2) + "\n")
    terms = dictionary.terms_of(datasets, catalog.stats.values())
    _write(stage / dictionary_path(lay).name, dictionary.render(terms))
    _swap(stage, final)
    seconds["pages"] = time.perf_counter() - started
    return result, findings


def _notices(lay: Layout) -> list[Notice]:
    """The approved projects whose decisions verify (git history, signatures, rules)."""
    from cohortgate.review.register import approved_projects  # late: GitPython

    return approved_projects(lay, date.today())


def schemas_page(schemas: list[Path], lang: str) -> str:
    title = t("schemas", lang)
    lines = [front_matter(title=title), f"# {title}\n", f"{t('schemas.intro', lang)}\n"]
    lines += [f"- [`{p.name}`]({p.name})" for p in schemas] or [t("schemas.none", lang)]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    # Inside the private staging tree: nobody reads these files until the tree is swapped in.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def _swap(stage: Path, final: Path) -> None:
    transaction.swap_dir(stage, final, durable=False)  # one exchange: never a moment without docs
