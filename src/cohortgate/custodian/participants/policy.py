"""Policy numbers of the participants' rights (R32), in one commented place."""

from __future__ import annotations

# R32: broad consent for future research comes "with a window in which a patient may
# withdraw"; the consensus names no length. Five years from the broad consent date is a
# provisional default proposed for issue 6, to be confirmed by the ethics committee (R30): long
# enough to cover the tracking and extension periods of the releases made meanwhile, short
# enough that a consent given for a young child is renewed as the child grows up.
# A withdrawal dated outside the window is refused, not recorded: after the window the consent
# itself must be renewed or ended at the source (the cohort's consent table, whose
# withdrawal_date the engine already honours), so the registry never holds a date that no
# consent covered.
WITHDRAWAL_WINDOW_YEARS = 5
