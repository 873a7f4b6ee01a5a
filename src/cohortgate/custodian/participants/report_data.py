"""What a participant report says: the projects that received one participant's data, each
explained from the public files of its application (R33, R35).

``gather`` reads the releases the vault's membership lists (``Vault.releases_of``) and, for
each, the release manifest, the application's title and lay summary and its ``outputs`` and
results events, all as files after CI verified them; ``report_render`` turns the result into
the HTML page and the PDF's lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from cohortgate.custodian.cohort.engine import Engine
from cohortgate.custodian.participants import codes as C
from cohortgate.custodian.vault.store import Vault
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding, Severity
from cohortgate.layout import Layout
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.lifecycle import Event, EventKind, parse_event_name
from cohortgate.models.release import ReleaseManifest, Treatment, application_of

# R35: the event kind (``EventKind`` value) and field that carry results of value to
# participants. Until ``models.lifecycle`` declares them, reports list none.
RESULTS_KIND = "participant-results"
RESULTS_FIELD = "results_zh"

TABLE_WORDS = {
    "patient": "基本信息",
    "diagnosis": "诊断",
    "phenotype": "表型",
    "variant": "基因变异",
    "visit": "就诊",
    "lab_result": "化验",
    "treatment": "治疗",
}


@dataclass(frozen=True)
class Note:
    """An output or a returned result: its day and a plain text."""

    on: str
    text: str


@dataclass(frozen=True)
class ProjectUse:
    """One release that held the participant's data, explained."""

    release: str
    application: str
    title: str
    lay_summary: str
    created_on: str
    access_start: str
    access_end: str
    level: PrivacyLevel
    enclave: bool
    treatments: dict[Treatment, list[str]]  # treatment -> "表（列）" labels, in manifest order
    outputs: list[Note] = field(default_factory=list)
    results: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class ParticipantReport:
    patient_id: str
    today: date
    uses: list[ProjectUse]
    withdrawn_on: date | None = None


# --- gathering -----------------------------------------------------------------------------


def in_cohort(cohort: Path, patient_id: str, display: str) -> bool:
    """Whether the cohort's patient table holds ``patient_id`` (read through the engine)."""
    with Engine.open(cohort, read_only=True, display=display) as engine:
        return any(pid == patient_id for (pid,) in engine.rows("patient", ("patient_id",)))


def _results_kind() -> EventKind | None:
    return next((k for k in EventKind if k.value == RESULTS_KIND), None)


def _load_manifest(folder: Path, release: str, display: str) -> ReleaseManifest | Finding:
    path = folder / "releases" / f"{release}.yaml"
    fix = (
        "Commit the release manifest the release command wrote, or restore it from git "
        "history; the report is refused until every release it must list can be read."
    )
    if not path.is_file():
        return C.RELEASE_RECORD.at(
            display, release=release, problem="no manifest in the repository", fix=fix
        )
    try:
        doc = load_yaml_file(path, display)
    except LoadError as exc:
        return C.RELEASE_RECORD.at(display, release=release, problem=exc.finding.message, fix=fix)
    manifest, problems = check_model(doc, ReleaseManifest)
    if manifest is None:
        problem = problems[0].message if problems else "not a release manifest"
        return C.RELEASE_RECORD.at(display, release=release, problem=problem, fix=fix)
    return manifest


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _load_application(folder: Path, release: str, display: str) -> tuple[str, str] | Finding:
    """(title, lay summary) read from ``application.yaml`` as plain fields, so that an
    application written under an older form still explains its release."""
    fix = "Restore the application's application.yaml from git history."
    try:
        doc = load_yaml_file(folder / "application.yaml", display)
    except LoadError as exc:
        return C.RELEASE_RECORD.at(display, release=release, problem=exc.finding.message, fix=fix)
    data = doc.data if isinstance(doc.data, dict) else {}
    title, summary = _text(data, "title"), _text(data, "lay_summary_zh")
    if title is None or summary is None:
        return C.RELEASE_RECORD.at(
            display, release=release, problem="the application has no title or lay summary", fix=fix
        )
    return title, summary


def _events(
    folder: Path, display: str, today: date
) -> tuple[list[Note], list[Note], list[Finding]]:
    """Outputs and returned results filed up to ``today``; an unreadable event file is
    reported as a warning and left out (CI refuses such files on the tracked branch)."""
    outputs: list[Note] = []
    results: list[Note] = []
    warnings: list[Finding] = []
    results_kind = _results_kind()
    events = folder / "events"
    for path in sorted(events.glob("*.yaml")) if events.is_dir() else []:
        parsed = parse_event_name(path.name)
        if parsed is None or parsed[1] not in (EventKind.OUTPUTS, results_kind):
            continue
        shown = f"{display}/events/{path.name}"
        try:
            event, problems = check_model(load_yaml_file(path, shown), Event)
        except LoadError as exc:
            event, problems = None, [exc.finding]
        if event is None:
            problem = problems[0].message if problems else "not an event"
            warnings.append(
                C.RELEASE_RECORD.at(
                    shown,
                    release=folder.name,
                    problem=f"event left out of the report: {problem}",
                    fix="Correct the event with a new signed event file.",
                )
            )
            continue
        if event.day > today:
            continue
        if event.kind is EventKind.OUTPUTS:
            files = len(event.attachments)
            outputs.append(Note(event.at, f"{event.citation}（附件 {files} 份）"))
        else:
            text = getattr(event, RESULTS_FIELD, None)
            if isinstance(text, str) and text.strip():
                results.append(Note(event.at, text.strip()))
    return outputs, results, [_warning(w) for w in warnings]


def _warning(finding: Finding) -> Finding:
    return replace(finding, severity=Severity.WARNING)


def _label(table: str, name: str) -> str:
    return f"{TABLE_WORDS.get(table, table)}（{name}）"


def gather(
    lay: Layout, vault: Vault, cohort: Path, patient_id: str, today: date
) -> tuple[ParticipantReport | None, list[Finding]]:
    """The report of one participant, or None and why not."""
    display = lay.rel(cohort)
    if not in_cohort(cohort, patient_id, display):
        return None, [C.UNKNOWN_PATIENT.at(display, patient=patient_id, cohort=display)]
    findings: list[Finding] = []
    uses: list[ProjectUse] = []
    for release in vault.releases_of(patient_id):
        application = application_of(release)
        folder = lay.submissions / application[2:6] / application
        shown = lay.rel(folder)
        manifest = _load_manifest(folder, release, shown)
        app = _load_application(folder, release, shown)
        if isinstance(manifest, Finding) or isinstance(app, Finding):
            findings += [f for f in (manifest, app) if isinstance(f, Finding)]
            continue
        if date.fromisoformat(manifest.created_on) > today:
            continue
        outputs, results, warnings = _events(folder, shown, today)
        findings += warnings
        treatments: dict[Treatment, list[str]] = {}
        for variable in manifest.variables:
            treatments.setdefault(variable.treatment, []).append(
                _label(variable.table, variable.name)
            )
        uses.append(
            ProjectUse(
                release=release,
                application=application,
                title=app[0],
                lay_summary=app[1],
                created_on=manifest.created_on,
                access_start=manifest.access_start,
                access_end=manifest.access_end,
                level=manifest.privacy_level,
                enclave=manifest.enclave,
                treatments=treatments,
                outputs=outputs,
                results=results,
            )
        )
    if any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    withdrawn = vault.optouts().get(patient_id)
    uses.sort(key=lambda u: (u.created_on, u.release))
    return ParticipantReport(patient_id, today, uses, withdrawn), findings
