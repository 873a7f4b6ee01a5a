"""Codes of ``cohortgate trace``: naming the release a leaked table came from (R25).

The tracer (``cohortgate.custodian.trace.tracer``) returns a ``TraceResult``;
``trace_findings`` in the same module turns it into these findings on the leaked file; the
CLI turns a ``LeakReadError`` into ``trace.unreadable-leak``.
"""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

ACCUSED = declare(
    "trace.accused",
    "Leak traced to a release",
    "Every release carries its recipient's keyed fingerprint in its values; a leaked copy points "
    "back to the release and so to the recipient and institution, who are then blacklisted "
    "(R25). The figure is the chance that an innocent release scores this high (exact binomial "
    "tail, times the number of releases compared).",
    "the leaked table came from release {release} ({matched} rows re-found, {agreements} of "
    "{carriers} marks agree; chance of a false accusation <= {bound:.1e})",
    "Follow the leak plan of the data use agreement for {release}: inform the data management "
    "committee, suspend the recipient's access and start the blacklisting procedure (R25).",
)
INCONCLUSIVE = declare(
    "trace.inconclusive",
    "Leak not attributable with enough certainty",
    "A release is named only when the chance of a false accusation is at most the policy's "
    "figure (R25); a short or heavily altered leak may not reach it.",
    "the closest release is {release} ({agreements} of {carriers} marks agree), but the chance "
    "of a false accusation, {bound:.1e}, is above {level:.0e}",
    "Obtain more rows of the leak or its other columns (exact dates and measurements carry the "
    "marks) and trace again; do not accuse on this result.",
    Severity.WARNING,
)
NO_MARKS = declare(
    "trace.no-marks",
    "No fingerprint found",
    "A leak is traced by re-finding its rows among the releases' records and reading the marks "
    "in their dates and measurements (R25). None could be read: the table is not from any of "
    "the releases compared, or it kept no date or measurement column.",
    "no release's marks could be read in the leaked table ({rows} rows, columns: {columns})",
    "Check that the table comes from this cohort and that the vault holds every release of the "
    "period; a copy without exact dates or measurements cannot be traced.",
    Severity.WARNING,
)
UNREADABLE = declare(
    "trace.unreadable-leak",
    "Leaked table unreadable",
    "The tracer reads a leaked table as CSV with a header row naming its columns (R25).",
    "{what}",
    "Save the table as CSV (UTF-8, one header row, the same number of fields on every row) and "
    "trace again.",
)
