"""What the recipient of a release already holds, and whether they may receive more (R19, R20,
R28).

- **Re-releases** (``rerelease_findings``): an application's first release needs no reason; a
  further one inside the access period needs a recorded reason, and at most
  ``policy.MAX_RERELEASES`` of them are allowed. The application's releases are its manifests
  (committed or only on disk: an uncommitted manifest counts too).
- **Keys** (``keys_for``): a re-release keeps the first release's pseudonyms and date shifts
  and gets a new watermark.
- **The recipient** is the whole team and its institutions, matched by the one normalised
  identity (``models.person``: a ``+tag``, another case, the same ORCID iD is the same person).
  Every release the vault holds for an application whose team shares a person or an
  institution with this one is something the recipient may hold (``earlier_for``): the new
  release is de-identified so that all of them together pass the joined gate, with whom they
  suppressed carried over (``joined_release``).

The earlier releases are rebuilt from the vault (their released columns and cohort ids, and
the join specification and suppression recorded with them); nothing is read from the
recipient's copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cohortgate.custodian.release import codes as C
from cohortgate.custodian.release.join_spec import cohort_ids_of
from cohortgate.custodian.release.joined_release import Earlier
from cohortgate.custodian.release.prepared import PATIENT_KEY
from cohortgate.custodian.risk.joined import EventTable, JoinSpec, joined_view
from cohortgate.custodian.risk.union import Linked
from cohortgate.custodian.vault.store import ReleaseKeys, Vault
from cohortgate.files.loading import LoadError, load_yaml_file
from cohortgate.files.modelcheck import check_model
from cohortgate.findings import Finding
from cohortgate.layout import Layout
from cohortgate.models.application import Application
from cohortgate.models.release import application_of, release_prefix
from cohortgate.policy import MAX_RERELEASES

SUPPRESSED = "suppressed"  # the vault's array set of the cohort ids a release suppressed


def suppression_arrays(dropped: Sequence[str], timing: Sequence[str]) -> dict[str, Any]:
    """Whom a release's joined de-identification suppressed, as a vault array set (cohort ids
    are sealed like the trace arrays, never in the plaintext metadata)."""
    ids = [*dropped, *timing]
    return {
        PATIENT_KEY: np.asarray(ids, dtype=object),
        "dropped": np.asarray([True] * len(dropped) + [False] * len(timing), dtype=bool),
    }


def releases_of(folder: Path, application: str) -> list[str]:
    """Every release of ``application`` that was made: its manifest, the last file a release
    writes, is in the folder (committed or not; ``verified`` has checked the folder against
    the commit). A vault record without a manifest is a release that failed while writing:
    nobody received it."""
    return sorted(
        p.stem for p in (folder / "releases").glob(f"{release_prefix(application)}*.yaml")
    )


def keys_for(vault: Vault, earlier: Sequence[str]) -> ReleaseKeys:
    """Fresh keys for a first release. A re-release ships the same rows as the first (R19):
    it keeps the first release's pseudonym and date-shift keys, so that the two copies agree
    and together tell nothing more than one, and gets its own watermark key, so that a leak
    still names the copy."""
    fresh = ReleaseKeys.generate()
    held = [r for r in earlier if r in set(vault.releases())]
    if not held:
        return fresh
    first = vault.keys(held[0])
    return ReleaseKeys(first.pseudonym_key, first.date_shift_key, fresh.watermark_key)


def rerelease_findings(
    earlier: Sequence[str], application: str, reason: str | None, where: str
) -> list[Finding]:
    """Refusals of a further release of ``application`` (``earlier``: its releases so far)."""
    if not earlier:
        return []
    names = ", ".join(earlier)
    if len(earlier) > MAX_RERELEASES:
        return [
            C.RERELEASE_LIMIT.at(
                where,
                application=application,
                count=len(earlier),
                earlier=names,
                limit=MAX_RERELEASES,
            )
        ]
    if reason is None or not reason.strip():
        return [
            C.RERELEASE_REASON.at(
                where, application=application, earlier=names, limit=MAX_RERELEASES
            )
        ]
    return []


def _applications(lay: Layout) -> list[Application]:
    found: list[Application] = []
    for path in sorted(lay.submissions.glob("*/*/application.yaml")):
        try:
            doc = load_yaml_file(path, lay.rel(path))
        except LoadError:
            continue
        app, _problems = check_model(doc, Application)
        if isinstance(app, Application):
            found.append(app)
    return found


def _manifest(lay: Layout, release: str) -> Path:
    """Where the manifest of ``release`` (R-<year>-<nnnn>-<mm>) lives."""
    application = application_of(release)
    return lay.submissions / application[2:6] / application / "releases" / f"{release}.yaml"


def unfinished(lay: Layout, vault: Vault, application: str) -> list[str]:
    """Releases of ``application`` the vault records but that never wrote their manifest, the
    last file of a release: a run killed or refused by the disk after the vault's
    transaction. Nobody received them. Those already recorded as abandoned are settled."""
    gone = vault.abandoned()
    return [
        r
        for r in vault.releases()
        if application_of(r) == application and r not in gone and not _manifest(lay, r).is_file()
    ]


def discard_unfinished(lay: Layout, releases: Sequence[str]) -> list[Path]:
    """Remove what an unfinished release left beside its vault record (its package, its
    enclave workspace, a manifest's temporary file); the paths removed."""
    removed: list[Path] = []
    for release in releases:
        manifest = _manifest(lay, release)
        leftovers = [lay.custodian / "outbox" / f"{release}.tar.age"]
        leftovers += sorted(manifest.parent.glob(f".{manifest.name}.*.tmp"))
        for path in leftovers:
            if path.is_file():
                path.unlink()
                removed.append(path)
        workspace = lay.custodian / "enclave" / release
        if workspace.is_dir():
            shutil.rmtree(workspace)
            removed.append(workspace)
    return removed


def settle_unfinished(lay: Layout, vault: Vault, application: str, folder: Path) -> list[Finding]:
    """The releases of ``application`` that never wrote their manifest: not delivered, their
    leftovers removed before anything is checked (a manifest's temporary file would be an
    unbound file of the folder)."""
    left = unfinished(lay, vault, application)
    if not left:
        return []
    removed = discard_unfinished(lay, left)
    for release_id in left:  # participants' reports no longer list it
        vault.abandon_release(release_id, "stopped before its manifest was written")
    where = lay.rel(folder)
    return [C.UNFINISHED.at(where, releases=", ".join(left), removed=len(removed))]


def same_recipient(one: Application, other: Application) -> bool:
    """Do the two teams share a person (normalised identity) or an institution?"""
    if {p.institution for p in one.people()} & {p.institution for p in other.people()}:
        return True
    return any(
        a.identity().agreement(b.identity()) is not None
        for a in one.people()
        for b in other.people()
    )


def earlier_for(lay: Layout, vault: Vault, app: Application) -> Earlier:
    """The releases the recipient of ``app`` may already hold, as the union check needs them."""
    related = {app.id} | {o.id for o in _applications(lay) if same_recipient(app, o)}
    linked: list[Linked] = []
    dropped: set[str] = set()
    timing: set[str] = set()
    levels: dict[str, int] = {}
    for release in vault.releases():
        if not _manifest(lay, release).is_file():
            continue  # unfinished: never delivered
        meta = vault.release_meta(release)
        joined = meta.get("joined")
        if meta.get("application") not in related or not isinstance(joined, dict):
            continue
        spec = spec_from(joined)
        tables = {t: vault.arrays(release, f"trace-{t.replace('_', '-')}") for t in spec.tables()}
        view = joined_view(tables, spec)
        linked.append(Linked(release, view, cohort_ids_of(tables, PATIENT_KEY)))
        if SUPPRESSED in vault.array_sets(release):
            held = vault.arrays(release, SUPPRESSED)
            for cohort_id, gone in zip(
                held[PATIENT_KEY].tolist(), held["dropped"].tolist(), strict=True
            ):
                (dropped if gone else timing).add(str(cohort_id))
        if meta.get("application") == app.id:
            for name, level in dict(joined.get("levels", {})).items():
                levels[name] = max(levels.get(name, 0), int(level))
    return Earlier(tuple(linked), frozenset(dropped), frozenset(timing - dropped), levels)


def spec_record(spec: JoinSpec) -> dict[str, Any]:
    """The join specification as plain data, for the vault's release record."""
    return {
        "person": {t: list(c) for t, c in spec.person},
        "events": [[e.table, e.date, e.name] for e in spec.events],
        "birth": None if spec.birth is None else list(spec.birth),
        "key": spec.key,
    }


def spec_from(record: dict[str, Any]) -> JoinSpec:
    birth = record.get("birth")
    return JoinSpec.of(
        dict(record.get("person", {})),
        [EventTable(t, d, n) for t, d, n in record.get("events", [])],
        birth=None if birth is None else (str(birth[0]), str(birth[1])),
        key=str(record.get("key", "patient_id")),
    )
