"""Codes of disclosure control: published statistics and their audit (R5 L1, R28).

Every statistics file is written by ``cohortgate stats`` after disclosure control and checked by
``cohortgate audit-stats``; a finding here means the file was edited by hand, produced by other
code, or compared badly with its previous version. The fix is almost always the same:
regenerate the file, never edit it.
"""

from cohortgate.findings.codes import declare

REGENERATE = (
    "Statistics files are written by `cohortgate stats` after disclosure control: regenerate "
    "this file with `cohortgate stats` (custodian) and never edit it by hand."
)

SMALL_CELL = declare(
    "privacy.small-cell",
    "Small count published",
    "R5 (L1 aggregate data) and R28 (test before release): a count of a few patients can "
    "identify a child with a rare disease. The disclosure policy (`cohortgate.policy`, default "
    "OpenSAFELY: 7 or fewer) says which counts are never published.",
    "{where} publishes {value}, a count in the range the '{preset}' policy never publishes "
    "({small})",
    REGENERATE,
)
NOT_ROUNDED = declare(
    "privacy.not-rounded",
    "Count not rounded",
    "R28: the policy rounds every published count (OpenSAFELY: to the nearest 5), so that "
    "overlapping tables and versions cannot be subtracted to reach exact small numbers.",
    "{where} publishes {value}, which is not a multiple of {rounding} as the '{preset}' policy "
    "requires",
    REGENERATE,
)
TOTAL_MISMATCH = declare(
    "privacy.total-mismatch",
    "Total not recomputed",
    "R28: a table's total is the sum of its published values, never the true total, which "
    "would give away the suppressed cells by subtraction (OpenSAFELY's rule).",
    "table '{table}' gives the total {total}, but its published values sum to {expected}",
    REGENERATE,
)
POPULATION = declare(
    "privacy.population",
    "Population does not fit a table",
    "R28: every additive table counts each patient of the dataset once, so its published "
    "values (within rounding) must add up to the published population.",
    "the population {population} does not fit table '{table}': its published values allow "
    "only {low} to {high} patients",
    REGENERATE,
)
INCONSISTENT = declare(
    "privacy.inconsistent",
    "Published numbers contradict each other",
    "R28: the linked tables of a dataset are computed from the same patients; when no table of "
    "true counts gives all published numbers at once, the file was changed after disclosure "
    "control and its protection cannot be verified.",
    "no set of true counts gives all the numbers published for dataset '{dataset}'; the "
    "audit cannot check what the suppressed cells reveal",
    REGENERATE,
)
RECOVERABLE_CELL = declare(
    "privacy.recoverable-cell",
    "Suppressed cell can be recovered",
    "R28: suppressing a small cell is not enough when the totals and linked tables published "
    "with it let anyone compute it back. The audit solves the attacker's linear programme "
    "(as sdcTable's attack()) and requires the feasible interval of every suppressed cell to be "
    "at least the policy's protection width.",
    "{where} is suppressed, but the numbers published with it pin it to {low}..{high} (width "
    "{width}, less than the protection width {protection})",
    "Secondary (complementary) suppression is missing or was undone. Regenerate with "
    "`cohortgate stats`, which suppresses complementary cells until no suppressed cell can be "
    "narrowed; never edit statistics by hand.",
)
DIFFERENCING = declare(
    "privacy.differencing",
    "Change between versions isolates a small group",
    "R28: publishing a new version of the statistics must not let anyone subtract the previous "
    "version and learn about a handful of patients (differencing attack).",
    "{where} changed since {previous} by {low}..{high} patients: the difference describes "
    "1 to {threshold} patients",
    "Regenerate with `cohortgate stats`, which compares with the previous published version "
    "(git) and suppresses cells whose change would isolate a small group; never edit "
    "statistics by hand.",
)
UNKNOWN_POLICY = declare(
    "privacy.unknown-policy",
    "Unknown disclosure policy",
    "R28: statistics are published under one of the policy presets of `cohortgate.policy` "
    "(opensafely, ukbiobank, ukllc), whose numbers the audit enforces.",
    "the file names the policy '{preset}', which is not a preset ({known})",
    REGENERATE,
)
POLICY_MISMATCH = declare(
    "privacy.policy-mismatch",
    "Policy numbers changed",
    "R28: the policy summary in a statistics file must equal its preset; a lower threshold "
    "written into the file does not make small counts safe.",
    "policy '{preset}' has {field} = {expected}, but the file says {value}",
    REGENERATE,
)
TABLE_SHAPE = declare(
    "privacy.table-shape",
    "Table cells do not match its dimensions",
    "R28: a table lists exactly one cell per combination of its categories (additive tables) "
    "so that the audit can link it to the other tables of the dataset.",
    "table '{table}': {problem}",
    REGENERATE,
)
CELL_STATE = declare(
    "privacy.cell-state",
    "Suppression mark and value disagree",
    "R28: a suppressed cell has `value: null` and `suppressed: true`; a value next to "
    "`suppressed: true` is published all the same.",
    "{where} {problem}",
    REGENERATE,
)
