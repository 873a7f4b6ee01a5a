"""Codes of the release gate: the re-identification thresholds a release must meet (R28, R31)."""

from cohortgate.findings import Severity  # noqa: F401
from cohortgate.findings.codes import declare

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
    "R28: when the data management committee sets a t-closeness limit, no class may shift the "
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
JOINED_RISK = declare(
    "release.joined-risk",
    "Persons re-identifiable in the joined release",
    "R28: a recipient joins a release's tables through its pseudonym into one record per "
    "person, with what the event tables say about each person's history (number of visits, "
    "first visit, the sequence of visit dates and of intervals); every combination of up to "
    "the policy's number of quasi-identifiers of that record must meet the policy, as each "
    "table must on its own.",
    "{failing} of {combinations} combination(s) of up to {size} quasi-identifiers break the "
    "policy (k >= {k_min}, average prosecutor risk <= {limit}); worst: {worst} with k = {k} "
    "and {uniques} unique person(s) of {persons}",
    "De-identify the longitudinal quasi-identifiers (coarser dates, visit counts in bands, "
    "suppression of rare histories) starting with {generalise} (failing combinations per "
    "quasi-identifier: {ranking}), then run the gate again.",
)
UNION_RISK = declare(
    "release.union-risk",
    "Persons re-identifiable across the recipient's releases",
    "R28: a recipient of several releases can link the persons they share (by their "
    "quasi-identifiers, whatever their pseudonyms); the joined records of all the releases "
    "together must meet the policy, not only each release on its own.",
    "with {earlier}: {failing} of {combinations} combination(s) of up to {size} "
    "quasi-identifiers break the policy (k >= {k_min}, average prosecutor risk <= {limit}); "
    "worst: {worst} with k = {k} and {uniques} unique person(s) of {persons}",
    "De-identify the new release with the earlier releases' suppressed persons and levels "
    "carried over, starting with {generalise} (failing combinations per quasi-identifier: "
    "{ranking}), then run the gate again.",
)
