"""What every application check sees: the catalog, the institutions, the blacklist, every
application under ``submissions/`` (for the parent and overlap checks) and the ontology index;
plus the helpers that several checks share; and the day each application is judged on
(``Received``): the day the data management office received it, never the form's 'submitted'."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from cohortgate.applications.load import Form
from cohortgate.applications.matching import HierarchyFactory, declared_hierarchy
from cohortgate.applications.summary import Applications
from cohortgate.catalog.load import Catalog
from cohortgate.files.loading import Document
from cohortgate.findings.codes import Both
from cohortgate.models.application import RequestedVariable
from cohortgate.models.blacklist import Blacklist
from cohortgate.models.dataset import DataClass, Dataset, Variable
from cohortgate.models.institution import Institution
from cohortgate.ontology import OntologyIndex

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Received:
    """The day an application is judged on, and how that day is known (said in findings)."""

    day: date
    basis: Both  # e.g. "the data management office's 'received' event (events/…)"
    known: bool = True  # False: no received date, judged on today

    def shown(self) -> Both:
        """The day with its basis, as findings show it."""
        return Both(
            zh=f"{self.day.isoformat()}（{self.basis.zh}）",
            en=f"{self.day.isoformat()} ({self.basis.en})",
        )


def judged_today(today: date | None = None) -> Received:
    """Without a received date: today, and saying so."""
    return Received(
        today or date.today(),
        Both(
            zh="今天：没有收件日期（既无签名的 'received' 事件，也无 --received），表单中的 "
            "'submitted' 不算数",
            en="today: no received date is known (neither a signed 'received' event nor "
            "--received), and the form's 'submitted' does not count",
        ),
        known=False,
    )


@dataclass
class Context:
    catalog: Catalog
    index: OntologyIndex
    blacklist: Blacklist
    blacklist_doc: Document | None
    applications: Applications  # every application under submissions/, summarised on demand
    hierarchy: HierarchyFactory = declared_hierarchy
    # Applications whose tracking period ended without outputs: their topic is open to others
    # again (R21). Asked only when an overlap is found (it reads the git history).
    reopened: Callable[[], frozenset[str]] = lambda: frozenset()
    # The day each application is judged on: the office's receipt (R12), else today.
    received: Callable[[Form], Received] = lambda form: judged_today()
    today: date = field(default_factory=date.today)  # no date in a form may be later
    institutions: dict[str, Institution] = field(init=False)

    def __post_init__(self) -> None:
        self.institutions = {i.id: i for i in self.catalog.institutions}


def requested(form: Form, ctx: Context) -> Iterator[tuple[int, Dataset]]:
    """The requested datasets that exist and hold research data, with their position."""
    for i, request in enumerate(form.app.datasets):
        ds = ctx.catalog.dataset(request.dataset)
        if ds is not None and ds.data_class is DataClass.RESEARCH:
            yield i, ds


def requested_variables(
    form: Form, ctx: Context
) -> Iterator[tuple[Loc, RequestedVariable, Variable]]:
    """Every requested variable that exists, with its catalog definition."""
    for i, ds in requested(form, ctx):
        known = {(t.source, v.name): v for t, v in ds.variables()}
        for j, wanted in enumerate(form.app.datasets[i].variables):
            var = known.get((wanted.table, wanted.name))
            if var is not None:
                yield ("datasets", i, "variables", j), wanted, var


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def dates(form: Form) -> list[tuple[Loc, str]]:
    app = form.app
    found: list[tuple[Loc, str | None]] = [
        (("submitted",), app.submitted),
        (("funding", "start"), app.funding.start),
        (("funding", "end"), app.funding.end),
        (("data_protection", "training_completed_on"), app.data_protection.training_completed_on),
    ]
    if app.ethics:
        found += [(("ethics", "approved_on"), app.ethics.approved_on)]
        found += [(("ethics", "valid_until"), app.ethics.valid_until)]
    for part, criteria in (
        ("inclusion", app.selection.inclusion),
        ("exclusion", app.selection.exclusion),
    ):
        if criteria:
            found += [(("selection", part, "diagnosed_from"), criteria.diagnosed_from)]
            found += [(("selection", part, "diagnosed_to"), criteria.diagnosed_to)]
    return [(loc, value) for loc, value in found if value is not None]
