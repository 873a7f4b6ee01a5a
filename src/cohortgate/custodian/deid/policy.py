"""The L2 de-identification's policy numbers (R5, R24), in one commented place.

They live here, beside the release code, rather than in ``cohortgate.policy`` while that module
is being edited by others; the lead may move them.
"""

from __future__ import annotations

# Largest date shift, in days, either way. Each patient's dates move by one keyed offset in
# [-MAX, -1] or [1, MAX] (never 0, so that no patient keeps true dates). Half a year: large
# enough that a shifted birth or diagnosis date no longer matches a known event (the HIPAA
# expert-determination practice and Hripcsak et al. 2016 use shifts of up to a year), small
# enough to keep seasons of onset roughly in place for paediatric studies. Intervals within a
# patient are exact whatever the shift. Set by the release helper of issue 5.
MAX_SHIFT_DAYS = 182

# Bits of the keyed pseudonym (HMAC-SHA-256 truncated). Issue 5 asks for at least 80 bits;
# 128 keeps collisions negligible (birthday bound 2^64) for any cohort size. Hex encoded.
PSEUDONYM_BITS = 128

# Largest share of records that generalisation may suppress to reach k and l (ARX's default
# suppression limit for health data releases is of this order; El Emam suggests at most 5 %
# so that analyses are not biased). The data management committee may lower it per release.
MAX_SUPPRESSION = 0.05

# Largest share of persons whose event dates (every visit and lab date) the longitudinal
# de-identification may suppress ('*') to meet the joined gate (custodian.deid.longitudinal);
# their rows and measurements stay. Beyond it everyone's dates are coarsened instead: dates
# missing for the children with the rarest histories are missing not at random, so the share
# is kept small, at twice the record suppression limit. Set by the joined-gate brief.
MAX_TIMING_SUPPRESSION = 0.10

# Visit counts in bands: a level keeps, of a person's rows, the largest floor not above their
# number of rows (rows beyond it are dropped, chosen by a seeded draw), so that the number of
# rows a recipient counts is a band's floor. Level 0 keeps every row; the floors grow coarser
# up to one row per person. Bands after the cohort's visit counts (a mean of about 5 and a cap
# of 20 in the registry); set by the joined-gate brief.
COUNT_FLOORS: tuple[tuple[int, ...], ...] = (
    (),
    (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20),
    (1, 2, 3, 4, 6, 8, 12),
    (1, 2, 4, 8),
    (1, 3),
    (1,),
)
