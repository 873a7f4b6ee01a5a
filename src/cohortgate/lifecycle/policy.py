"""The lifecycle's own deadlines (issue 6), in one commented place.

TRACKING_MONTHS and MAX_EXTENSIONS (R19, R20) live in ``cohortgate.policy``; these are the
deadlines the consensus leaves to the data centre ("destroys the data in the set time", R22).
They move to ``cohortgate.policy`` when the lead merges this package.
"""

from __future__ import annotations

# R22: after the end of use (the access period's end, an expiry or a revocation) the user
# destroys the data and files a written certificate within this many days. 30 days follows the
# common "return or destroy within 30 days" clause of data use agreements (e.g. the NIH dbGaP
# Data Use Certification).
DESTRUCTION_DAYS = 30

# R22: the data centre checks a destruction certificate within this many days of its filing.
VERIFICATION_DAYS = 30

# R20: the data management committee answers a written extension request within this many
# days (before the period it would extend runs out, when the request came in time).
EXTENSION_ANSWER_DAYS = 14

# R21: the committee records the expiry of a tracking period without outputs this many days
# after the period ended (the applicant may still file late outputs until then).
EXPIRY_RECORD_DAYS = 30
