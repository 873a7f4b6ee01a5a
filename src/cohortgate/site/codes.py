"""Codes of the site build (``cohortgate site build``)."""

from cohortgate.findings.codes import declare

SITE_MISSING_TRANSLATION = declare(
    "site.missing-translation",
    "Page in one language only",
    "Every page of the site exists in Chinese and in English, at the same path, so that the "
    "language switch lands on the same page.",
    "{page} exists in site/{present}/ but not in site/{missing}/",
    "Write site/{missing}/{page} (a translation of site/{present}/{page}).",
)
SITE_UNKNOWN_PLACEHOLDER = declare(
    "site.unknown-placeholder",
    "Unknown placeholder",
    "Prose pages take policy numbers from cohortgate.policy through placeholders such as "
    "'{{{{ disclosure.threshold }}}}', so that the site never states a number the code does "
    "not apply.",
    "placeholder '{placeholder}' names nothing in cohortgate.policy",
    "Use one of: {known}.",
)
SITE_VENDOR_MISSING = declare(
    "site.vendor-missing",
    "Vendored script not installed",
    "The site serves every script itself (nothing is fetched from another host at view "
    "time); the diagrams need mermaid, the online application form needs json-editor, Ajv, "
    "ajv-i18n and js-yaml, all from the npm packages of package.json.",
    "{script} is missing",
    "Run `npm ci` at the repository root, then build again.",
)
SITE_STATS_UNKNOWN_DATASET = declare(
    "site.stats-unknown-dataset",
    "Statistics of an unknown dataset",
    "Each statistics file describes a dataset of the catalog.",
    "statistics file for '{dataset}', which is not a dataset of the catalog",
    "Remove the file, or restore catalog/datasets/{dataset}.yaml.",
)
SITE_STATS_REFUSED = declare(
    "site.stats-refused",
    "Statistics failed the audit",
    "The site never publishes statistics that fail the disclosure audit (R26, R28): the "
    "build stops and publishes nothing.",
    "the site was not built: {errors} audit error(s) in catalog/stats/",
    "Fix the findings above (regenerate the statistics with `cohortgate stats`), then build again.",
)
SITE_MKDOCS = declare(
    "site.mkdocs",
    "MkDocs reported a problem",
    "Both language projects build with `mkdocs build --strict`: a warning (a broken link, "
    "a missing anchor) fails the build.",
    "{message}",
    "Fix the page or the configuration named in the message.",
)
