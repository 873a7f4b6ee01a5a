"""The catalog index: every dataset in one table, filtered in the browser by a small script.

The rows carry their diseases, levels and institutions in ``data-*`` attributes; the filter form
is ``hidden`` until ``assets/cohortgate.js`` shows it, so that without JavaScript the reader
sees the whole table and no dead controls.
"""

from __future__ import annotations

from cohortgate.models.dataset import Dataset, PrivacyLevel
from cohortgate.models.institution import Institution
from cohortgate.models.stats import DatasetStats
from cohortgate.site import labels as L
from cohortgate.site.html import esc, front_matter
from cohortgate.site.labels import t
from cohortgate.site.pages_dataset import level_badges, population_text

MAX_DISEASES = 4  # a longer list is cut here; the dataset page and the filter have them all


def disease_list(ds: Dataset, lang: str) -> str:
    names = [esc(d.name.get(lang)) for d in ds.diseases]
    if len(names) <= MAX_DISEASES:
        return "<br>".join(names)
    shown = "<br>".join(names[: MAX_DISEASES - 1])
    more = t("catalog.more", lang, n=len(names) - MAX_DISEASES + 1)
    return f'{shown}<br><span class="cg-small">{more}</span>'


def _select(key: str, name: str, options: list[tuple[str, str]], lang: str) -> str:
    opts = "".join(f'<option value="{esc(v)}">{esc(text)}</option>' for v, text in options)
    return (
        f'<label for="cg-f-{name}">{t(key, lang)}</label>'
        f'<select id="cg-f-{name}" data-filter="{name}">'
        f'<option value="">{t("filter.all", lang)}</option>{opts}</select>'
    )


def page(
    datasets: list[Dataset],
    institutions: dict[str, Institution],
    stats: dict[str, DatasetStats],
    lang: str,
) -> str:
    """Markdown of ``datasets/index.md``."""
    diseases: dict[str, str] = {}
    for ds in datasets:
        for d in ds.diseases:
            diseases.setdefault(d.orpha, d.name.get(lang))
    used_insts = sorted({i for ds in datasets for i in ds.institutions})
    inst_name = {i: institutions[i].name.get(lang) if i in institutions else i for i in used_insts}
    form = (
        '<form class="cg-filter" id="cg-filter" hidden>'
        + _select(
            "filter.disease",
            "disease",
            sorted(diseases.items(), key=lambda kv: kv[1]),
            lang,
        )
        + _select(
            "filter.level",
            "level",
            [(lv.value, L.pick(L.PRIVACY_LEVEL[lv], lang)) for lv in PrivacyLevel],
            lang,
        )
        + _select("filter.institution", "institution", list(inst_name.items()), lang)
        + f'<button type="reset" class="md-button">{t("filter.reset", lang)}</button>'
        + f'<p id="cg-count" aria-live="polite" data-template="{esc(t("filter.count", lang))}">'
        + "</p></form>\n"
    )
    head = (
        "".join(
            f'<th scope="col">{t(k, lang)}</th>'
            for k in ("col.dataset", "col.diseases", "col.levels", "col.institutions")
        )
        + f'<th scope="col" class="cg-num">{t("col.population", lang)}</th>'
    )
    rows = []
    for ds in datasets:
        rows.append(
            f'<tr data-disease="{esc(" ".join(ds.orpha_codes()))}" '
            f'data-level="{" ".join(lv.value for lv in ds.privacy_levels)}" '
            f'data-institution="{esc(" ".join(ds.institutions))}">'
            f'<td><a href="{esc(ds.id)}/">{esc(ds.title.get(lang))}</a><br>'
            f"<code>{esc(ds.id)}</code><br>"
            f'<span class="cg-small">{esc(L.pick(L.DATA_CLASS[ds.data_class], lang))}</span></td>'
            f"<td>{disease_list(ds, lang)}</td>"
            f"<td>{level_badges(ds.privacy_levels, lang, '../mechanism/privacy-levels/')}</td>"
            f"<td>{'<br>'.join(esc(inst_name[i]) for i in ds.institutions)}</td>"
            f'<td class="cg-num">{population_text(stats.get(ds.id), lang)}</td></tr>'
        )
    table = (
        f'<div class="cg-catalog"><table id="cg-catalog"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>\n"
    )
    title = t("catalog", lang)
    return "\n".join(
        [front_matter(title=title), f"# {title}\n", f"{t('catalog.intro', lang)}\n", form, table]
    )
