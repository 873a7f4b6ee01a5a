"""One page per dataset: metadata, use conditions, variable dictionary, statistics."""

from __future__ import annotations

from collections.abc import Callable

from cohortgate.catalog.duo import duo_term
from cohortgate.models.dataset import Dataset, PrivacyLevel, Table, UseCondition, Variable
from cohortgate.models.institution import Institution
from cohortgate.models.stats import DatasetStats
from cohortgate.site import labels as L
from cohortgate.site.html import badge, esc, front_matter, md_text, num
from cohortgate.site.labels import t
from cohortgate.site.pages_stats import ChartFile, section

HpoName = Callable[[str], str | None]

ORPHANET = "https://www.orpha.net/en/disease/detail/{code}"
HPO_BROWSER = "https://hpo.jax.org/browse/term/{id}"


def level_badges(levels: list[PrivacyLevel], lang: str, href: str) -> str:
    return " ".join(
        f'<a class="cg-badge-link" href="{href}#{lv.value.lower()}">'
        f"{badge('level-' + lv.value.lower(), lv.value, L.pick(L.PRIVACY_LEVEL[lv], lang))}</a>"
        for lv in levels
    )


def population_text(stats: DatasetStats | None, lang: str) -> str:
    if stats is None:
        return "—"
    return num(stats.population) if stats.population is not None else t("suppressed", lang)


def page(
    ds: Dataset,
    institutions: dict[str, Institution],
    stats: DatasetStats | None,
    lang: str,
    hpo_name: HpoName,
) -> tuple[str, list[ChartFile]]:
    """Markdown of ``datasets/<id>.md`` and the chart files it embeds."""
    title = ds.title.get(lang)
    mech = "../../mechanism/"
    parts = [
        front_matter(title=title, description=ds.description.get(lang)),
        f"# {md_text(title)}\n",
        f'<p class="cg-lead">{esc(ds.description.get(lang))}</p>\n',
        f"## {t('overview', lang)} {{ #overview }}\n",
        overview(ds, institutions, stats, lang, mech),
        f"## {t('use', lang)} {{ #use }}\n",
        f"{t('use.intro', lang)}\n",
        use_conditions(ds, lang),
        f"## {t('variables', lang)} {{ #variables }}\n",
        f"{t('variables.intro', lang)}\n",
    ]
    for table in ds.tables:
        parts.append(f"### {md_text(table.label.get(lang))} {{ #table-{table.source} }}\n")
        parts.append(variable_table(table, lang, hpo_name, mech))
    stats_md, charts = section(stats, ds.id, lang)
    parts.append(stats_md)
    parts.append(f"## {t('apply', lang)} {{ #apply }}\n")
    parts.append(t("apply.text", lang, link="../apply/index.md", form="../apply/form.md") + "\n")
    return "\n".join(parts), charts


def overview(
    ds: Dataset,
    institutions: dict[str, Institution],
    stats: DatasetStats | None,
    lang: str,
    mech: str,
) -> str:
    diseases = "<br>".join(
        f'<a href="../?disease={esc(d.orpha)}">{esc(d.name.get(lang))}</a> '
        f'<a class="cg-code" href="{ORPHANET.format(code=d.orpha.split(":")[1])}">'
        f"{esc(d.orpha)}</a>"
        + (f' <span class="cg-code">ICD-10 {esc(", ".join(d.icd10))}</span>' if d.icd10 else "")
        for d in ds.diseases
    )
    insts = "<br>".join(
        esc(institutions[i].name.get(lang)) if i in institutions else esc(i)
        for i in ds.institutions
    )
    rows = [
        (t("field.id", lang), f"<code>{esc(ds.id)}</code>"),
        (
            t("field.data_class", lang),
            f'<a href="{mech}#data-classes">{esc(L.pick(L.DATA_CLASS[ds.data_class], lang))}</a>',
        ),
        (t("field.diseases", lang), diseases),
        (t("field.institutions", lang), insts),
        (
            t("field.levels", lang),
            level_badges(ds.privacy_levels, lang, f"{mech}privacy-levels/")
            + "<br>"
            + "；".join(esc(L.pick(L.PRIVACY_LEVEL[lv], lang)) for lv in ds.privacy_levels),
        ),
        (t("field.population", lang), population_text(stats, lang)),
    ]
    if ds.keywords:
        rows.append(
            (t("field.keywords", lang), esc(("、" if lang == "zh" else ", ").join(ds.keywords)))
        )
    if stats is not None:
        rows.append(
            (
                t("field.downloads", lang),
                f'<a href="../../downloads/stats/{esc(ds.id)}.json" download>'
                f"{t('download.stats', lang)}</a>",
            )
        )
    body = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<div class="cg-meta"><table><tbody>{body}</tbody></table></div>\n'


def use_condition(cond: UseCondition, lang: str, names: dict[str, str]) -> str:
    term = duo_term(cond.code)
    name = (term.zh if lang == "zh" else term.en) if term else cond.code
    short = f" ({term.shorthand})" if term else ""
    extra = []
    colon = "：" if lang == "zh" else ": "
    if cond.diseases:
        diseases = ", ".join(f"{names[c]} ({c})" if c in names else c for c in cond.diseases)
        extra.append(f"{t('use.diseases', lang)}{colon}{diseases}")
    if cond.research_type:
        extra.append(f"{t('use.research_type', lang)}{colon}{cond.research_type}")
    if cond.months:
        extra.append(t("use.months", lang, months=cond.months))
    detail = f" — {esc(('；' if lang == 'zh' else '; ').join(extra))}" if extra else ""
    return (
        f"<li><strong>{esc(name)}</strong>{esc(short)} "
        f'<span class="cg-code">{esc(cond.code)}</span>{detail}</li>'
    )


def use_conditions(ds: Dataset, lang: str) -> str:
    names = {d.orpha: d.name.get(lang) for d in ds.diseases}
    items = "".join(use_condition(c, lang, names) for c in ds.use_conditions)
    note = f"<p>{esc(ds.use_conditions_note.get(lang))}</p>" if ds.use_conditions_note else ""
    return f'<div class="cg-use"><ul>{items}</ul>{note}</div>\n'


def variable_row(v: Variable, lang: str, hpo_name: HpoName, mech: str) -> str:
    label = esc(v.label.get(lang))
    if v.description:
        label += f'<br><span class="cg-small">{esc(v.description.get(lang))}</span>'
    kind = esc(L.pick(L.VARIABLE_TYPE[v.type], lang))
    if v.unit:
        kind += f' <span class="cg-code">{esc(v.unit)}</span>'
    privacy = badge(v.privacy.value.replace("_", "-"), L.pick(L.PRIVACY_CLASS[v.privacy], lang))
    hpo = "<br>".join(
        f'<a class="cg-code" href="{HPO_BROWSER.format(id=h)}">{esc(h)}</a>'
        + (f" {esc(n)}" if (n := hpo_name(h)) else "")
        for h in v.hpo
    )
    values = "；".join(f"<code>{esc(k)}</code> {esc(x.get(lang))}" for k, x in v.values.items())
    return (
        f"<tr><td><code>{esc(v.name)}</code></td><td>{label}</td><td>{kind}</td>"
        f'<td><a class="cg-badge-link" href="{mech}privacy-levels/#privacy-classes">{privacy}</a>'
        f"</td><td>{hpo}</td><td>{values}</td></tr>"
    )


def variable_table(table: Table, lang: str, hpo_name: HpoName, mech: str) -> str:
    head = "".join(
        f'<th scope="col">{t(k, lang)}</th>'
        for k in ("var.name", "var.label", "var.type", "var.privacy", "var.hpo", "var.values")
    )
    body = "".join(variable_row(v, lang, hpo_name, mech) for v in table.variables)
    return (
        f'<div class="cg-vars"><table><caption>{esc(table.label.get(lang))} '
        f"(<code>{esc(table.source)}</code>)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>\n"
    )
