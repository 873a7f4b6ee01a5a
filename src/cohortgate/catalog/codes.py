"""Codes of the catalog checks (``cohortgate validate``).

Each description names the requirement of ``MECHANISM.md`` that the check serves.
"""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

# --- identity and references ------------------------------------------------------------------

DUPLICATE_ID = declare(
    "catalog.duplicate-id",
    "Duplicate id",
    "Ids name datasets, institutions, the tables of a dataset, the variables of a table and "
    "the diseases of a dataset. Applications (R8, R16), statistics and the site refer to them, "
    "so each must be unique in its scope.",
    "{kind} '{id}' is defined twice (first at {first})",
    "Remove one of the two, or give this one a different id.",
)
ID_FILE_MISMATCH = declare(
    "catalog.id-file-mismatch",
    "Dataset id differs from the file name",
    "A dataset lives in catalog/datasets/<id>.yaml so that its file can be found from its id "
    "(applications, R8, and statistics name datasets by id).",
    "dataset id '{id}' does not match the file name '{stem}.yaml'",
    "Rename the file to {id}.yaml, or change the id to '{stem}'.",
)
UNKNOWN_INSTITUTION = declare(
    "catalog.unknown-institution",
    "Unknown institution",
    "Contributing institutions are named by their id in catalog/institutions.yaml (R2: the "
    "participating institutions jointly hold the data).",
    "institution '{id}' is not in catalog/institutions.yaml",
    "Use one of: {known}; or add the institution to catalog/institutions.yaml.",
)
NOT_A_MEMBER = declare(
    "catalog.contributor-not-member",
    "Contributing institution is not a member",
    "Only member institutions of the project group contribute data to the cohort (R2, R3); "
    "other institutions may apply for data but do not hold it.",
    "institution '{id}' contributes to this dataset but is not a member of the project group",
    "Remove it from 'institutions', or mark it 'member: true' in catalog/institutions.yaml "
    "once it has joined the project group.",
)

# --- ontology codes (R7) ----------------------------------------------------------------------

UNKNOWN_ORPHA = declare(
    "catalog.unknown-orpha",
    "Unknown Orphanet code",
    "Diseases are named by Orphanet codes (R7: standardised terms). The check knows the "
    "Orphanet diseases that the HPO release annotates with phenotypes, which is what the "
    "statistics and the phenotype search need; a code outside them cannot be used.",
    "{orpha} is not among the Orphanet diseases that HPO {version} annotates",
    "Check the number on orpha.net and copy it again{suggestion}.",
)
ORPHA_NAME_MISMATCH = declare(
    "catalog.orpha-name-mismatch",
    "Disease name differs from Orphanet",
    "The English name of a disease should be Orphanet's preferred name, so that readers and "
    "search find the same disease that the code means (R7).",
    "{orpha} is '{expected}' in Orphanet, the catalog says '{given}'",
    "Write name.en: {expected} (or check that the code is the disease you mean).",
    Severity.WARNING,
)
UNKNOWN_HPO = declare(
    "catalog.unknown-hpo",
    "Unknown HPO term",
    "Phenotypes are coded with the Human Phenotype Ontology (R7); the term must exist in the "
    "HPO release that the check uses.",
    "{hpo} is not a term of HPO {version}",
    "Find the term on hpo.jax.org and copy its id (HP: and seven digits).",
)
OBSOLETE_HPO = declare(
    "catalog.obsolete-hpo",
    "Obsolete or merged HPO term",
    "An obsolete HPO term (or a secondary id merged into another term) no longer groups with "
    "current annotations, so phenotype statistics would miss it (R7).",
    "{hpo} ({name}) is {state} in HPO {version}",
    "{replacement}",
)

# --- the cohort schema ------------------------------------------------------------------------

UNKNOWN_TABLE = declare(
    "catalog.unknown-table",
    "Unknown cohort table",
    "A dataset's tables name tables of the cohort database (cohortgate.models.cohort), which "
    "the custodian's engine creates; statistics and extractions for approved users (R1, R16) "
    "read them by name.",
    "table '{table}' is not a table of the cohort",
    "Use one of: {known}.",
)
UNKNOWN_COLUMN = declare(
    "catalog.unknown-column",
    "Unknown column",
    "Every variable names a column of its cohort table (cohortgate.models.cohort), so that "
    "what the catalog promises is what the custodian can extract (R16).",
    "column '{name}' is not in cohort table '{table}'",
    "{suggestion}The columns of '{table}' are: {known}.",
)
TYPE_MISMATCH = declare(
    "catalog.type-mismatch",
    "Variable type does not fit the column",
    "R6: every field is described and labelled. A variable's type describes the values of its "
    "cohort column; a date column cannot be described as a decimal, and so on.",
    "variable '{name}' is declared '{type}' but column {table}.{name} is {db_type}",
    "Use type: {expected}.",
)
CUSTODIAN_TABLE = declare(
    "catalog.custodian-table",
    "Custodian-only table exposed",
    "The consent table (broad consent and withdrawal dates, R32) is the custodian's working "
    "record; it is never described as shareable research data nor published.",
    "table '{table}' is held by the custodian only and cannot be part of a dataset",
    "Remove the table; withdrawn patients are excluded from every release automatically.",
)

# --- privacy classes and levels (R4, R5, R6, R29) ---------------------------------------------

IDENTIFIER_NOT_CLASSED = declare(
    "catalog.identifier-not-classed",
    "Identifier not classed as a direct identifier",
    "R6: name, national ID and other document numbers, phone numbers, addresses, insurance "
    "and medical-record numbers and other account numbers identify a child directly. A "
    "variable whose name, label, description or values look like one must be classed "
    "'direct_identifier', so that no release hands it out by mistake.",
    "variable '{variable}' looks like {what} ({evidence}) but is classed '{privacy}'",
    "Set privacy: direct_identifier (or rename and relabel the variable if it is not one).",
)
GENETIC_NOT_CLASSED = declare(
    "catalog.genetic-not-classed",
    "Genetic variable not classed as genetic",
    "R6 and R29: genetic data identify the child and the family and are released only under "
    "the strictest delivery (R18), so variant columns are classed 'genetic'.",
    "variable '{variable}' of the variant table is classed '{privacy}'",
    "Set privacy: genetic.",
)
SHAREABLE_CLASS = declare(
    "catalog.shareable-class",
    "Raw or registry data offered at patient level",
    "R4: raw hospital data and disease-registry data are institutional assets and are never "
    "shared directly; only research data may be released at patient level (L2, L3). Raw and "
    "registry datasets are listed for their aggregate statistics (L1) only.",
    "a {data_class} dataset offers patient-level level(s) {levels}",
    "Set privacy_levels: [L1]; to share patient-level data, describe a research dataset "
    "(data_class: research) with only the variables a study needs (R16).",
)
LEVEL_TOO_LOW = declare(
    "catalog.level-too-low",
    "Direct identifier in a dataset without level L3",
    "R5: only L3 releases patient-level data with identifiers; at L2 the record keys "
    "(patient_id, visit_id) are replaced by project-specific pseudonyms and every other direct "
    "identifier is withheld. A research dataset that lists such an identifier (a name, an ID "
    "or phone number, an address, a record number) must therefore offer L3, or the variable "
    "can never be delivered and should not be promised.",
    "variable '{variable}' is a direct identifier that only L3 releases, but the dataset "
    "offers {levels}",
    "Add L3 to privacy_levels if studies need it (they then face the strictest review, R5), "
    "or remove the variable (R16 minimum necessary).",
)

# --- use conditions (GA4GH DUO) ---------------------------------------------------------------

UNKNOWN_DUO = declare(
    "catalog.unknown-duo",
    "Unknown DUO term",
    "Use conditions are terms of the GA4GH Data Use Ontology, so that applicants and other "
    "catalogs read them the same way (R9: the purpose must fit the data's permitted use).",
    "{term} is not a DUO term that the catalog supports",
    "Use one of: {known}.",
)
DUO_PERMISSION = declare(
    "catalog.duo-permission",
    "Not exactly one DUO permission",
    "DUO separates permissions (what research may use the data: GRU, HMB, DS, POA, NRES) from "
    "modifiers (conditions such as IRB, NPUNCU, PUB). A dataset states exactly one permission, "
    "against which an application's purpose is reviewed (R9).",
    "the use conditions state {count} permissions{which}",
    "Keep exactly one of GRU (DUO:0000042), HMB (DUO:0000006), DS (DUO:0000007), "
    "POA (DUO:0000011), NRES (DUO:0000004).",
)
DUO_PARAMETER = declare(
    "catalog.duo-parameter",
    "DUO parameter on a term that takes none",
    "Only DS takes 'diseases', only RS 'research_type', only TS 'months'; a parameter on "
    "another term would be silently ignored, and the purpose review (R9) would miss it.",
    "{shorthand} ({term}) does not take '{parameter}'",
    "Remove '{parameter}', or move it to the term that takes it.",
)
