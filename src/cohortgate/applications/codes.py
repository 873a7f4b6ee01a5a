"""Codes of the application checks (``cohortgate validate`` on ``submissions/``).

Each description names the requirement of ``MECHANISM.md`` that the check serves; each hint says
which field to change and to what.
"""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

# --- the folder and the form ------------------------------------------------------------------

ID_FOLDER_MISMATCH = declare(
    "application.id-folder-mismatch",
    "Application id differs from its folder",
    "Each application lives in submissions/<year>/<id>/ so that reviews, decisions and the "
    "public register find it by its id (R8, R15).",
    "id '{id}' differs from the folder name '{folder}'",
    "{fix}",
)
YEAR_FOLDER_MISMATCH = declare(
    "application.year-folder-mismatch",
    "Application in the wrong year folder",
    "Applications are filed by the year of their id, submissions/<year>/<id>/, so that the "
    "quarterly review (R15) and the register list them in one place.",
    "application {id} is in '{where}', not in 'submissions/{year}/'",
    "Move the folder to submissions/{year}/{id}/.",
)
MISPLACED = declare(
    "application.misplaced",
    "Not an application folder",
    "submissions/ holds one folder per application, submissions/<year>/<id>/, and nothing "
    "else that could hide or stand in for one (R8).",
    "{what}",
    "{fix}",
)
INVALID_DATE = declare(
    "application.invalid-date",
    "Not a calendar date",
    "Dates decide whether funding (R3) and ethics approval (R30) are valid on the submission "
    "date; each must be a real calendar date.",
    "'{value}' is not a calendar date",
    'Write the date as "YYYY-MM-DD", e.g. "2026-03-15".',
)
DATE_ORDER = declare(
    "application.date-order",
    "Dates in the wrong order",
    "A period ends on or after its start: funding (R3), ethics approval (R30) and the "
    "diagnosis period of the selection (R9 inclusion criteria).",
    "{first_field} {first} is after {second_field} {second}",
    "Correct the dates so that {first_field} comes on or before {second_field}.",
)
PLACEHOLDER = declare(
    "application.placeholder",
    "Template placeholder left in the form",
    "`cohortgate new` writes a form whose placeholders (FILL-IN, 0000-00-00) mark what the "
    "applicant must fill in (R8: a complete form and protocol).",
    "'{field}' still holds the template's placeholder '{value}'",
    "Replace it with the real value; the comment above the line in the template says what "
    "it holds.",
)

# --- who applies (R3, R12, R25) ---------------------------------------------------------------

EMAIL_LOOKALIKE = declare(
    "application.email-lookalike",
    "E-mail address with non-ASCII (look-alike) characters",
    "R3, R12: identity is shown by an institutional e-mail. Letters from other scripts that "
    "look like Latin ones (Cyrillic 'а', full-width 'ａ') or invisible characters make an "
    "address look like an institution's while it is another; addresses are plain ASCII.",
    "e-mail '{email}' contains {chars}",
    "Type the address again in plain ASCII{suggestion}.",
)
FREE_MAIL = declare(
    "application.free-mail",
    "Free-mail address",
    "R3, R12: an application is made in the name of an institution, not of an individual, and "
    "identity is shown by an institutional e-mail. A free-mail address proves neither.",
    "'{email}' is a free-mail address ({domain})",
    "Use the address at {institution} ({domains}).",
)
EMAIL_DOMAIN_MISMATCH = declare(
    "application.email-domain-mismatch",
    "E-mail not at the person's institution",
    "R3, R12: identity is shown by an e-mail at the institution named for the person; the "
    "domain must be one of the institution's email_domains in catalog/institutions.yaml.",
    "'{email}' is not an address of '{institution}' ({domains})",
    "Use the address at {domains}, or set 'institution' to the institution this address "
    "belongs to.",
)
UNKNOWN_INSTITUTION = declare(
    "application.unknown-institution",
    "Unknown institution",
    "R3: applications come from institutions the cohort knows, listed in "
    "catalog/institutions.yaml with their e-mail domains.",
    "institution '{id}' is not in catalog/institutions.yaml",
    "Use one of: {known}. An institution new to the cohort asks the data management committee "
    "to add it to catalog/institutions.yaml first.",
)
BLACKLISTED = declare(
    "application.blacklisted",
    "Applicant or institution blacklisted",
    "R25: a person or institution to whom a leak was traced is blacklisted, and no further "
    "application of theirs is accepted (rubric/blacklist.yaml).",
    "{who} is blacklisted{scope} since {listed_on} (rubric/blacklist.yaml line "
    "{entry_line}): {reason}",
    "No application naming them is accepted. Remove them from the application; a review of "
    "the entry is asked of the data management committee in writing{review}.",
)
FUNDING_NOT_CURRENT = declare(
    "application.funding-not-current",
    "Funding does not cover the submission date",
    "R3, R12: the applicant needs a funded project of a suitable level; the project named "
    "under 'funding' must run on the submission date.",
    "the funding runs from {start} to {end}, which does not include the submission date "
    "{submitted}",
    "Name a project that is funded on {submitted} under 'funding', or correct funding.start "
    "and funding.end.",
)

# --- what is asked for (R4, R5, R16, R18) -----------------------------------------------------

UNKNOWN_DATASET = declare(
    "application.unknown-dataset",
    "Unknown dataset",
    "R8, R16: an application asks for datasets of the catalog, by id.",
    "dataset '{id}' is not in the catalog",
    "{suggestion}Use one of the research datasets: {known}.",
)
NOT_RESEARCH_DATA = declare(
    "application.not-research-data",
    "Raw or registry data requested",
    "R4: raw hospital data and disease-registry data are institutional assets and are never "
    "shared directly; only research data may be shared after approval.",
    "dataset '{id}' holds {data_class} data, which are never shared directly",
    "Request a research dataset instead{alternatives}; the published statistics of '{id}' "
    "are on the site without an application.",
)
DUPLICATE_REQUEST = declare(
    "application.duplicate-request",
    "Dataset or variable requested twice",
    "R16 minimum necessary: each dataset and each variable is requested once, with one "
    "justification.",
    "{kind} '{name}' is requested twice (first on line {first})",
    "Keep one of the two entries and delete the other.",
)
UNKNOWN_VARIABLE = declare(
    "application.unknown-variable",
    "Variable not in the dataset",
    "R9, R16: the protocol names the requested parameters; each must be a variable of the "
    "requested dataset's dictionary (table and name).",
    "variable '{table}.{name}' is not in dataset '{dataset}'",
    "{suggestion}{known}",
)
LEVEL_NOT_OFFERED = declare(
    "application.level-not-offered",
    "Privacy level not offered by the dataset",
    "R5: each dataset states the privacy levels at which it can be released; an application "
    "asks for one of them.",
    "dataset '{dataset}' is not released at {level}; it offers {levels}",
    "Set privacy_level to one of {levels}, or request another dataset.",
)
IDENTIFIER_AT_L1 = declare(
    "application.identifier-at-l1",
    "Identifier requested in an aggregate (L1) request",
    "R5: L1 is aggregate or summary data: tables of counts, without any identifier.",
    "variable '{table}.{name}' is a direct identifier; an L1 (aggregate) request lists none",
    "Remove the variable (counts are made per patient by the data centre), or request "
    "privacy_level: L2 for patient-level data.",
)
IDENTIFIER_NEEDS_L3 = declare(
    "application.identifier-needs-l3",
    "Direct identifier requested below L3",
    "R5, R16: only L3 releases identifiers. At L2 the record keys (patient_id, visit_id) are "
    "replaced by project-specific pseudonyms and every other direct identifier is withheld.",
    "variable '{table}.{name}' is a direct identifier, which only L3 releases",
    "Remove the variable (R16 minimum necessary), or request privacy_level: L3 from a dataset "
    "that offers it, with enclave delivery (local_database, remote_desktop, safe_room or "
    "blockchain).",
)
GENETIC_NEEDS_L2 = declare(
    "application.genetic-needs-l2",
    "Genetic data requested at L1",
    "R5, R29: genetic data identify the child and the family; they are released at patient "
    "level (L2 or L3) only, under the strictest delivery (R18), never in aggregate requests.",
    "variable '{table}.{name}' is genetic data, released at L2 or L3 only",
    "Request privacy_level: L2 with delivery local_database, remote_desktop, safe_room or "
    "blockchain, or remove the variable.",
)
DELIVERY_NOT_ALLOWED = declare(
    "application.delivery-not-allowed",
    "Delivery method not allowed for the privacy level",
    "R18: lower levels by encrypted e-mail, encrypted USB or media bound to one computer; "
    "higher levels (L3, and children's genetic data at any level) only by local database "
    "access, remote virtual desktop, a safe room or blockchain-backed access; L1 is an "
    "aggregate report.",
    "delivery '{delivery}' is not allowed for {what}",
    "Set delivery to one of: {allowed}.",
)
DISEASE_NOT_IN_DATASETS = declare(
    "application.disease-not-in-datasets",
    "Selected disease not in the requested datasets",
    "R9, R16: the inclusion criteria select patients of the requested datasets; a disease "
    "that none of them holds selects nobody.",
    "{orpha} is not among the diseases of {datasets}",
    "{fix}",
)
UNKNOWN_TERM = declare(
    "application.unknown-term",
    "Unknown HPO term or gene in the selection",
    "R7, R9: inclusion and exclusion criteria are coded with HPO terms and HGNC gene symbols "
    "so that the data centre can apply them exactly.",
    "{kind} '{value}' {state}",
    "{fix}",
)

# --- why, and on what terms (R9, R10, R11, R17, R30, DUO) -------------------------------------

ETHICS_MISSING = declare(
    "application.ethics-missing",
    "Ethics approval missing",
    "R30 (and R29 for genetic data): patient-level requests (L2, L3) need the ethics approval "
    "of the applicant's institution.",
    "an {level} request needs an ethics approval",
    "Add an 'ethics' section: committee, approval_number, approved_on, valid_until and the "
    "approval letter (PDF) in this folder.",
)
ETHICS_NOT_VALID = declare(
    "application.ethics-not-valid",
    "Ethics approval not valid on the submission date",
    "R30: the ethics approval must be in force when the application is submitted.",
    "the ethics approval is valid from {approved_on} to {valid_until}, not on the submission "
    "date {submitted}",
    "Renew the approval and update ethics.approved_on, ethics.valid_until and ethics.letter, "
    "or correct the dates.",
)
USE_CONDITION_NOT_MET = declare(
    "application.use-condition-not-met",
    "Dataset use condition (DUO) not met",
    "R9: the purpose must fit each requested dataset's use conditions, stated as GA4GH Data "
    "Use Ontology terms; each condition is matched on its own (disease-specific research "
    "through the disease hierarchy, paediatric research, non-profit use, ethics approval).",
    "dataset '{dataset}': use condition {shorthand} ({term}) is not met: {reason}",
    "{fix}",
)
NOT_NON_PROFIT = declare(
    "application.not-non-profit",
    "Purpose not non-profit",
    "R9: the purpose of the research must be non-profit.",
    "the purpose is declared not non-profit (non_profit: false)",
    "Set non_profit: true if the research is non-profit; commercial requests are not accepted "
    "through this procedure.",
)
OUT_OF_SCOPE = declare(
    "application.out-of-scope",
    "Out-of-scope request: recorded, not scored",
    "R11: requests of the project's funder for large volumes, for care delivery, for payment "
    "or under other legal mandates are outside this procedure; they are recorded, not scored.",
    "out-of-scope request ({reason}): it is recorded, not scored by the committees",
    "Nothing to fix if this is such a request. If it is a research request, remove 'out_of_scope'.",
    Severity.WARNING,
)
PARENT_UNKNOWN = declare(
    "application.parent-unknown",
    "Parent application not found",
    "R10: a secondary analysis of data already shared names the application under which the "
    "data were shared.",
    "parent application {parent} is not in submissions/",
    "Set parent_application to the id of the approved application whose data are reused, or "
    "remove it for a new request.",
)
PARENT_NOT_APPROVED = declare(
    "application.parent-not-approved",
    "Parent application not approved",
    "R10: a secondary analysis reuses data already shared, so its parent application must "
    "have been approved (submissions/<year>/<id>/decision.yaml says 'decision: approve').",
    "parent application {parent} {state}",
    "Wait for the parent's approval, or remove parent_application and submit a new request "
    "for the data.",
)
OVERLAPPING_APPLICATION = declare(
    "application.overlapping-application",
    "Open application on the same datasets and diseases",
    "R16, R21: the committees review requests on the same data and disease topic together; "
    "an open application that overlaps is pointed out so that the protocols can say how they "
    "differ or the applicants can collaborate.",
    "application {other} ('{title}') is open on the same dataset(s) {datasets} and "
    "disease(s) {diseases}",
    "Say in protocol.purpose how this study differs from {other}, or ask the data management "
    "office to put you in touch with its applicant to collaborate (the log of a public check "
    "names no other applicant).",
    Severity.WARNING,
)
ACKNOWLEDGEMENT_MISSING = declare(
    "application.acknowledgement-missing",
    "Condition of use not accepted",
    "R17, R22–R24, R34: every approved user accepts the terms of the data use agreement: no "
    "transfer to third parties, citing the source, destruction after use, cost-recovery fees "
    "and returning results of value to participants.",
    "acknowledgement '{name}' is false: {what}",
    "Set acknowledgements.{name}: true to accept it ({requirement}); it is a condition of "
    "every release.",
)
LAY_SUMMARY_NOT_CHINESE = declare(
    "application.lay-summary-not-chinese",
    "Lay summary not in Chinese",
    "The public register (R15) announces approved users and their studies in plain Chinese; "
    "lay_summary_zh is that text.",
    "lay_summary_zh is {share}% Chinese characters, less than {minimum}%",
    "Write lay_summary_zh in plain Chinese; a few Latin abbreviations (SMA, DMD) are fine.",
)

# --- attachments (R8) -------------------------------------------------------------------------

ATTACHMENT_MISSING = declare(
    "application.attachment-missing",
    "Attachment not found",
    "R8: an application is the form plus a valid research protocol; the protocol and the "
    "ethics letter are files in the application folder, named by a relative path.",
    "{field} names '{target}', which is not in the application folder",
    "Add the file as {folder}/{target} in the same pull request, or correct {field}.",
)
ATTACHMENT_OUTSIDE = declare(
    "application.attachment-outside",
    "Attachment outside the application folder",
    "R8, R26: attachments are part of the reviewed pull request; a path that leaves the "
    "application folder would show reviewers one file and CI another.",
    "{field} '{target}' points outside the application folder",
    "Put the file in {folder}/ and name it by a path relative to that folder, e.g. protocol.pdf.",
)
ATTACHMENT_SYMLINK = declare(
    "application.attachment-symlink",
    "Attachment through a symbolic link",
    "R8, R26: a symbolic link can point anywhere on the machine that runs the check; "
    "attachments are regular files inside the application folder.",
    "{field} '{target}' goes through the symbolic link '{link}'",
    "Replace the link with the file itself.",
)
ATTACHMENT_NOT_A_FILE = declare(
    "application.attachment-not-a-file",
    "Attachment is not a regular file",
    "R8: attachments are regular files (a PDF), not folders or special files.",
    "{field} '{target}' is {kind}, not a file",
    "Name the PDF file itself in {field}.",
)
ATTACHMENT_NOT_PDF = declare(
    "application.attachment-not-pdf",
    "Attachment is not a PDF",
    "R8: the protocol and the ethics letter are attached as PDF, which every reviewer can "
    "open and which cannot carry macros.",
    "{field} '{target}' is not a PDF: {why}",
    "Save or print the document as PDF and attach that file (it starts with %PDF-).",
)

# --- what sign-offs bind, and attachments as what they claim to be (issue 12) -------------------

ATTACHMENT_AFTER_REVIEW = declare(
    "application.attachment-after-review",
    "Attachment where sign-offs do not bind it",
    "R8, R13: sign-offs and decisions bind the SHA-256 of the application's files, except the "
    "folders that follow the review (reviews/, events/, agreements/, releases/); an attachment "
    "kept there could be replaced after approval while the decision stayed valid.",
    "{field} '{target}' lies in {place}, which sign-offs and decisions do not bind",
    "Move the file into {folder}/ itself (or a subfolder such as {folder}/attachments/) and "
    "name that path in {field}.",
)
AFTER_REVIEW_FILE = declare(
    "application.after-review-file",
    "File in an after-review folder that no command wrote",
    "R13, R15: reviews/, decision.yaml, agreements/, agreements.yaml, releases/ and events/ "
    "follow the review and are left out of what sign-offs bind; they hold only what their "
    "commands write (score sheets, the decision, the agreement texts and the signed copies "
    "recorded, release manifests, events and the files they name). Anything else there could "
    "be replaced after approval unseen.",
    "'{name}' {problem}",
    "Remove it from {place}, or move it into the application folder itself, where sign-offs "
    "bind it.",
)
ATTACHMENT_TOO_LARGE = declare(
    "application.attachment-too-large",
    "Attachment or application too large",
    "R8: every reviewer downloads and opens the attachments, and every sign-off binds them by "
    "their SHA-256; policy.py limits each attachment and the application's files together.",
    "{what} is {size}, over the limit of {limit}",
    "{fix}",
)
ATTACHMENT_INVALID_PDF = declare(
    "application.attachment-invalid-pdf",
    "Attachment is not a PDF reviewers can open",
    "R8: the protocol and the ethics letter are PDF documents that every reviewer opens; a file "
    "that only starts like a PDF (and continues as a web page with scripts), one whose "
    "structure is broken, or one locked by encryption is not what it claims to be.",
    "{field} '{target}' is not a PDF that reviewers can open: {why}",
    "{fix}",
)
ATTACHMENT_ACTIVE_CONTENT = declare(
    "application.attachment-active-content",
    "Attachment carries active content",
    "R8, R26: reviewers open the attachments on their own machines; a PDF with JavaScript, an "
    "action that launches a program, or files embedded in it could run or hide content that "
    "no sign-off reviewed.",
    "{field} '{target}' carries {what}",
    "Print the document to a new PDF (File > Print > Save as PDF drops scripts, actions and "
    "embedded files), attach that file, and attach any other document as a file of its own.",
)
DATE_AFTER_RECEIPT = declare(  # issue item 4: dates from a trusted party, not from the form
    "application.date-after-receipt",
    "Date after the application was received",
    "R12, R30: the data management office's receipt (its signed 'received' event, or the time "
    "GitHub recorded when the pull request was opened) dates the submission, not the form; a "
    "date in the form after that day, or after today, cannot be true.",
    "{field} is {value}, after {limit}",
    "Write the day it really happened, no later than {limit}. The form's 'submitted' does not "
    "decide whether ethics approval and funding are valid: the received day does.",
)
UNKNOWN_STRATUM = declare(  # issue 13: L1 tables computed as the protocol requests
    "application.unknown-stratum",
    "Stratum is neither a dimension nor a requested variable",
    "R5, R16: an L1 release counts each requested variable once per stratum of "
    "datasets[].strata, through the disclosure control of the published statistics. A stratum "
    "names the cohort's dimensions (disease, sex, age_band, province, onset_year, institution) "
    "or variables requested from the same dataset, so that no table uses data the application "
    "did not ask for.",
    "stratum '{name}' of dataset '{dataset}' is neither a dimension nor a variable requested "
    "from it",
    "{suggestion}{known}",
)
