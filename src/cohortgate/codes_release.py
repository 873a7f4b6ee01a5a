"""Codes of the custodian's release tools: re-identification gate, release, trace
(R16–R18, R25, R28, R31)."""

from cohortgate.codes import declare
from cohortgate.findings import Severity

# --- the re-identification gate (R28) ---------------------------------------------------------

K_ANONYMITY = declare(
    "release.k-anonymity",
    "Release is not k-anonymous",
    "R28: before a de-identified extract leaves the custodian, every combination of its "
    "quasi-identifiers must be shared by at least k records (the policy's k), so that nobody "
    "can be singled out by what an attacker may know about them.",
    "k = {k}: {small_records} record(s) are in classes smaller than {k_min} "
    "(quasi-identifiers: {qis})",
    "Generalise {generalise} (k without each quasi-identifier: {ranking}), or suppress the "
    "records in classes smaller than {k_min}, then run the gate again.",
)
L_DIVERSITY = declare(
    "release.l-diversity",
    "Sensitive field not l-diverse",
    "R28: every class of records sharing the quasi-identifiers must hold at least l distinct "
    "values of each sensitive field; otherwise placing a person in a class reveals the "
    "sensitive value (homogeneity attack).",
    "'{field}' has l = {l} (policy: l >= {l_min})",
    "Generalise {generalise} so that classes merge (k without each quasi-identifier: "
    "{ranking}), or generalise '{field}' itself, then run the gate again.",
)
PROSECUTOR_RISK = declare(
    "release.prosecutor-risk",
    "Average re-identification risk too high",
    "R28: the average prosecutor risk (classes / records, ARX and El Emam's success rate) "
    "estimates the share of records an attacker who knows a person is in the release would "
    "re-identify; the policy caps it.",
    "average prosecutor risk {average:.4f} > {limit} ({classes} classes for {rows} records)",
    "Generalise {generalise} (classes without each quasi-identifier: {ranking}) so that "
    "records share fewer, larger classes, then run the gate again.",
)
T_CLOSENESS = declare(
    "release.t-closeness",
    "Sensitive field's distribution in a class too far from the table's",
    "R28: when the data review board sets a t-closeness limit, no class may shift the "
    "distribution of a sensitive field by more than t (earth mover's distance) from the "
    "whole table's.",
    "'{field}' has t = {t:.4f} (policy: t <= {t_max})",
    "Generalise {generalise} so that classes grow and look like the whole table, or "
    "generalise '{field}', then run the gate again.",
)
SAMPLE_UNIQUENESS = declare(
    "release.sample-uniqueness",
    "Too many records unique on their quasi-identifiers",
    "R28: a record alone in its class is re-identified by anyone who knows its "
    "quasi-identifiers; the policy caps the share of such records.",
    "{uniques} record(s) ({share:.2%}) are unique on {qis} (policy: <= {limit:.2%})",
    "Generalise {generalise} (k without each quasi-identifier: {ranking}), then run the "
    "gate again.",
)

# --- before anything is extracted (R15, R17, R25) -------------------------------------------

NO_APPROVAL = declare(
    "release.not-approved",
    "No approval to release",
    "R15, R16: data leave only for an application the committees approved; the chair's signed "
    "decision (verified by `cohortgate review` in CI) must say approve, for this version.",
    "{problem}",
    "Release only after the quarterly meeting recorded 'approve' for the current version of "
    "the application (`cohortgate review <id>` shows the decision and whether it is valid).",
)
BLACKLISTED = declare(
    "release.blacklisted",
    "Someone on the team is blacklisted",
    "R25: no data for a person or institution on the blacklist (rubric/blacklist.yaml).",
    "{who} is on the blacklist since {since}: {reason}",
    "No release while the entry stands; the committee reviews it on its review date.",
)
PERIOD_OVER = declare(
    "release.period-over",
    "Access period over",
    "R19, R20: data are released within the approved period of use; after its end (and at "
    "most two extensions) nothing more leaves.",
    "the access period ended on {end} (today is {today})",
    "Ask for an extension first (at most two, R20), or close the application.",
)
BAD_RECIPIENT = declare(
    "release.bad-recipient",
    "Not an age public key",
    "R31: a release is encrypted to its recipient's own age key (X25519), 'age1…'.",
    "{problem}",
    "Ask the recipient for the public key `age-keygen` printed (it starts with 'age1').",
)
COHORT_UNUSABLE = declare(
    "release.cohort-unusable",
    "The cohort database cannot be used",
    "R16: releases are extracted from the custodian's cohort database.",
    "{problem}",
    "Point --cohort at the cohort's DuckDB file (`cohortgate cohort generate` makes one).",
)
ENCLAVE_ONLY = declare(
    "release.enclave",
    "Released into an enclave workspace",
    "R18, R29: level L3 and genetic data never leave as a portable file: the approved "
    "variables go into a workspace on the custodian's side that the recipient reaches by "
    "remote desktop or in the safe room.",
    "{release} prepared as an enclave workspace ({rows} rows in {tables} table(s))",
    "Grant the recipient access to the workspace; nothing is sent.",
    Severity.WARNING,
)
