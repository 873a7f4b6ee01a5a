"""Codes of the intake (issue 14: R2, R7): what a hospital's file holds that cannot enter the
cohort as it is, located at the file and the JSON path."""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

NOT_JSON = declare(
    "intake.not-json",
    "Not a JSON file",
    "A phenopacket is a JSON document (GA4GH Phenopacket Schema v2).",
    "{problem}",
    "Export the record again as phenopacket JSON (UTF-8).",
)
NOT_A_PHENOPACKET = declare(
    "intake.not-a-phenopacket",
    "Not a GA4GH phenopacket",
    "R7: cases enter in the standard rare-disease exchange format; a document the Phenopacket "
    "schema v2 does not accept (an unknown field, a wrong type, another message) is refused "
    "whole, never guessed at.",
    "{problem}",
    "Validate the export against the Phenopacket Schema v2 (e.g. with phenopacket-tools) and "
    "send it again.",
)
SCHEMA_VERSION = declare(
    "intake.schema-version",
    "Unsupported phenopacket schema version",
    "Only Phenopacket Schema v2 is read: v1 documents differ in their fields and meaning.",
    "metaData.phenopacketSchemaVersion is '{version}', not 2.0",
    "Convert the record to schema v2 (phenopacket-tools convert) and send it again.",
)
NO_ID = declare(
    "intake.no-id",
    "Phenopacket without an id",
    "Every record keeps the source's id, so that a hospital can correct or withdraw it.",
    "the phenopacket has no id",
    "Give each exported record its stable id in the source system.",
)
BAD_AGE = declare(
    "intake.bad-age",
    "Age is not an ISO 8601 duration",
    "Ages are ISO 8601 durations in the Phenopacket schema; a value that is not one is left "
    "missing rather than guessed.",
    "{problem}",
    "Write the age as a duration such as P3Y6M, or leave it out.",
    Severity.WARNING,
)
HPO_UNKNOWN = declare(
    "intake.hpo-unknown",
    "Phenotype term not in the HPO",
    "R7: phenotypes are coded with the HPO release the installed packages ship; a term it does "
    "not know is left out of the case, which loads without it.",
    "{term} ('{label}') is not a term of the shipped HPO: the feature is left out",
    "Check the id; code the feature with a current HPO term.",
    Severity.WARNING,
)
HPO_OBSOLETE = declare(
    "intake.hpo-replaced",
    "Obsolete phenotype term replaced",
    "R7: an HPO id that the shipped release lists as an alternative id of a current term is "
    "loaded as that term, and the replacement is reported.",
    "{term} is an old id of {current} ('{label}'): loaded as {current}",
    "Update the source's coding to the current id.",
    Severity.WARNING,
)
BAD_DISEASE = declare(
    "intake.bad-disease-code",
    "Disease code not of a known system",
    "Diagnoses are coded as OMIM:nnnnnn, ORPHA:n or MONDO:nnnnnnn; a code of another form is "
    "left out of the case rather than mapped by guess.",
    "'{code}' is not an OMIM, ORPHA or MONDO code: the diagnosis is left out",
    "Code the diagnosis with OMIM, Orphanet or MONDO.",
    Severity.WARNING,
)
UNSAFE_SOURCE = declare(
    "intake.unsafe-source",
    "Source refused",
    "What a hospital sends is read without trusting it: a link, a member that would unpack "
    "outside the folder, a file over the size limit or an archive that unpacks to far more than "
    "it holds (a zip bomb) is refused and nothing of it is read.",
    "{problem}",
    "Send plain files (a folder or a zip of them) within the limits of cohortgate.policy "
    "(INTAKE_MAX_*).",
)
NO_SOURCE = declare(
    "intake.no-source",
    "Nothing to read",
    "An intake reads a file, a folder, a zip archive or standard input ('-').",
    "{problem}",
    "Give the path of the hospital's export.",
)
