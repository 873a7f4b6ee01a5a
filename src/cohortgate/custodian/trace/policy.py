"""Where a release's fingerprint may live, and how sure a trace must be (R25).

Every number of the watermark and the trace is here, with the reason it has this value. The
custodian may tighten them; loosening a tolerance is a clinical decision, not a technical one.

What the watermark may change (and nothing else):

- **Exact dates of a patient**, all together, by one extra day (-1 or +1) added to the
  patient's whole date shift. Every date of the patient moves by the same amount, so intervals
  within a patient (age at diagnosis in days, time between visits) stay exact. The release is
  already date-shifted by up to months per patient (R24), so one more day reveals nothing and
  loses nothing. Dates generalised to month or year carry no mark (one day could move them to
  another month: a different generalised value, a different equivalence class for the gate).
- **The last recorded digit of tolerant measurements**, by one step up or down
  (:data:`NUMERIC_TOLERANCE`). Each step is at or below the measuring instrument's own
  resolution, so no clinical reading changes.

What it never changes: categorical values (diagnosis, sex, age band, region, HPO terms, genes,
ACMG class, visit type ...), so no categorical marginal moves; quasi-identifiers of any kind,
so the re-identification gate sees the same equivalence classes (the embedder refuses a
quasi-identifier carrier); missing values; lab results (``lab_result.value``: precision and
decision limits differ per analyte and unit, and no per-analyte tolerance has been agreed).

Carrier (b) of the issue, "choices among equivalent generalisations", is not used: the
generalisation hierarchies of the de-identification have no two labels that the gate treats as
one class and the recipient reads as the same value, so any such choice would move a
categorical marginal. The hook is :class:`~cohortgate.custodian.trace.watermark.WatermarkPlan`
(add a carrier kind there when a hierarchy offers synonyms).
"""

from __future__ import annotations

# Column -> one step of the mark, in the column's unit. Set by the project's data manager:
# weight is recorded to 0.1 kg (paediatric scales resolve 10-100 g; day-to-day variation of a
# child's weight is several hundred grams); height to 0.1 cm (stadiometer resolution 0.1 cm,
# inter-observer error ~0.5 cm). A measurement column not listed here is never marked.
NUMERIC_TOLERANCE: dict[str, float] = {
    "weight_kg": 0.1,
    "height_cm": 0.1,
}

# Decimals a tolerant column is stored with after marking (the step's own precision).
NUMERIC_DECIMALS: dict[str, int] = {"weight_kg": 1, "height_cm": 1}

# Dates: every exact-date (datetime64) column of a release carries the patient's extra day, so
# all of a patient's dates move together; none does when an exact date is a quasi-identifier
# (``watermark.plan_for``). Dates generalised to month or year are strings: never marked.

# Size of the per-patient extra day: -1 or +1 (never 0, so every patient carries a bit and an
# unmarked copy reads as "no mark", not as a string of zero bits).
DATE_STEP_DAYS = 1

# Share of eligible measurement cells that carry a mark, chosen by the keyed hash of the stable
# row key: 3 in 4. Fewer carriers change fewer values; more carriers shorten the leak needed
# for a trace. At 0.75, a 200-row visit leak with weight and height keeps ~300 readable
# carriers plus one per patient from the dates, which the simulation shows is ample
# (tests/custodian/test_trace_simulation.py).
NUMERIC_CARRIER_SHARE = 0.75

# Share of patients whose whole date shift carries the extra day: all of them (the extra day
# costs nothing and an unmarked patient would stand out against marked ones in two copies).
DATE_CARRIER_SHARE = 1.0

# The largest chance of accusing an innocent recipient that a trace accepts, over ALL candidate
# releases together (the goal: 1e-6). Each candidate is tested at this figure divided
# by the number of candidates (union bound), against the exact binomial tail of its score.
FALSE_ACCUSATION = 1e-6

# A leaked row is taken for an original record when at least this share of the columns they
# share agree (measurements within one mark step, dates within one day), with at least
# MIN_AGREEING columns. The leak may have up to 20 % of its values altered, so a true match
# agrees on ~80 %; an unrelated record agrees on a few categorical columns only.
MATCH_SHARE = 0.6
MIN_AGREEING = 3

# The fraction of altered values the guarantees are stated for (issue 5: "up to 20 %").
ALTERED_SHARE = 0.2

# Matching quantum of a measurement column that carries no mark (lab values ...): a leaked
# value agrees with the original when both round to the same or adjacent thousandths.
MATCH_QUANTUM = 0.001
