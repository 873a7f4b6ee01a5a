"""The committees' rubric: ``rubric/rubric.yaml`` (R13–R15, R34, Table 1 of the consensus).

Three dimensions (scientific value, data-leak risk, cost of providing the data), each made of
indicators. The system computes what it can from public inputs (the catalog, its published
statistics, the application form, the credit record) and reviewers score the rest, each within
their committee and expertise (R13). Every indicator is scored so that a higher score is better
for approval: for leak risk a higher score means safer, for cost a higher score means cheaper to
provide. Dimensions therefore aggregate the same way, and the decision rule (per privacy level,
stricter for higher levels) reads one number per dimension and one aggregate.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from pydantic import Field, model_validator

from cohortgate.models.application import DeliveryMethod
from cohortgate.models.common import NonEmpty, Slug, Strict, Text
from cohortgate.models.dataset import PrivacyLevel
from cohortgate.models.roster import Committee, Expertise


class Dimension(StrEnum):
    """Table 1: the three dimensions of the review."""

    SCIENTIFIC_VALUE = "scientific_value"  # 科学研究价值: the data's and the use's value
    LEAK_RISK = "leak_risk"  # 数据泄漏风险: higher score = safer
    COST = "cost"  # 提供数据成本: higher score = cheaper to provide


class Source(StrEnum):
    COMPUTED = "computed"  # measured by cohortgate from public inputs, with evidence
    REVIEWER = "reviewer"  # scored by committee members in their score sheets


class Measure(StrEnum):
    """What a computed indicator measures (``cohortgate.scoring.indicators``)."""

    DATASET_PATIENTS = "dataset_patients"  # patients in the requested datasets (lower bound)
    DISEASES_COVERED = "diseases_covered"  # selected rare diseases present in the datasets
    PROTECTION_POINTS = "protection_points"  # points for the declared protection measures
    CREDIT_POINTS = "credit_points"  # points from the applicant's credit record
    SELECTION_PATIENTS = "selection_patients"  # patients the selection may reach (upper bound)
    IDENTIFYING_POINTS = "identifying_points"  # weighted count of identifying fields requested
    SMALLEST_DISEASE_COUNT = "smallest_disease_count"  # rarest selected disease (lower bound)
    FEE_HOURS = "fee_hours"  # hours of work of the fee estimate (R34)


# The parameters each measure reads from ``Indicator.parameters`` (all required).
MEASURE_PARAMETERS: dict[Measure, frozenset[str]] = {
    Measure.DATASET_PATIENTS: frozenset(),
    Measure.DISEASES_COVERED: frozenset(),
    Measure.PROTECTION_POINTS: frozenset(
        {
            "encryption_at_rest",
            "encryption_in_transit",
            "certification_mlps_level_2",
            "certification_mlps_level_3",
            "certification_iso_27001",
            "training",
            "training_valid_days",
        }
    ),
    Measure.CREDIT_POINTS: frozenset(
        {
            "start",
            "on_time_output",
            "late_output",
            "missing_output",
            "verified_destruction",
            "violation",
            "earlier_approval",
        }
    ),
    Measure.SELECTION_PATIENTS: frozenset(),
    Measure.IDENTIFYING_POINTS: frozenset({"direct_identifier", "quasi_identifier", "genetic"}),
    Measure.SMALLEST_DISEASE_COUNT: frozenset(),
    Measure.FEE_HOURS: frozenset(),
}


class Scale(Strict):
    min: int = Field(description="The lowest score (worst for approval)")
    max: int = Field(description="The highest score (best for approval)")

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min {self.min} is not below max {self.max}")
        return self

    def contains(self, score: float) -> bool:
        return self.min <= score <= self.max


class Band(Strict):
    """Measured values up to ``up_to`` (inclusive) get ``score``; null: everything above."""

    up_to: float | None = Field(description="Inclusive upper bound; null for the last band")
    score: int


class Indicator(Strict):
    id: Slug = Field(description="Indicator id used in score sheets, e.g. scientific-merit")
    dimension: Dimension
    label: Text
    description: Text
    source: Source
    weight: float = Field(gt=0, description="Weight within its dimension")
    committee: Committee | None = Field(
        default=None, description="Reviewer indicators: the committee whose members score it"
    )
    expertise: list[Expertise] = Field(
        default_factory=list,
        description="Reviewer indicators: the expertise that may score it (empty: all members)",
    )
    measure: Measure | None = Field(default=None, description="Computed indicators: what")
    parameters: dict[str, float] = Field(
        default_factory=dict, description="Computed indicators: the measure's points"
    )
    bands: list[Band] = Field(
        default_factory=list, description="Computed indicators: measured value -> score"
    )

    @model_validator(mode="after")
    def _fits_source(self) -> Indicator:
        if self.source is Source.REVIEWER:
            if self.committee is None:
                raise ValueError(f"reviewer indicator {self.id!r} names no committee")
            if self.measure is not None or self.bands or self.parameters:
                raise ValueError(f"reviewer indicator {self.id!r} has measure, parameters or bands")
            return self
        if self.committee is not None or self.expertise:
            raise ValueError(f"computed indicator {self.id!r} names a committee or expertise")
        if self.measure is None or not self.bands:
            raise ValueError(f"computed indicator {self.id!r} needs a measure and bands")
        needed = MEASURE_PARAMETERS[self.measure]
        if set(self.parameters) != needed:
            raise ValueError(
                f"indicator {self.id!r} ({self.measure}) takes the parameters "
                f"{sorted(needed) or 'none'}, not {sorted(self.parameters) or 'none'}"
            )
        bounds = [b.up_to for b in self.bands]
        if bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError(
                f"indicator {self.id!r}: only the last band has up_to: null, and it must"
            )
        finite = [b for b in bounds if b is not None]
        if any(low >= high for low, high in pairwise(finite)):
            raise ValueError(f"indicator {self.id!r}: band bounds are not strictly increasing")
        return self

    def band_score(self, value: float) -> int:
        """The score of the first band whose ``up_to`` is at least ``value``."""
        return next(b.score for b in self.bands if b.up_to is None or value <= b.up_to)


class DimensionSpec(Strict):
    id: Dimension
    label: Text
    weight: float = Field(gt=0, description="Weight of the dimension in the aggregate")


class LevelRule(Strict):
    """The decision rule at one privacy level; higher levels are at least as strict."""

    level: PrivacyLevel
    approve_at_least: float = Field(description="Aggregate needed to approve")
    reject_below: float = Field(description="An aggregate below this rejects")
    dimension_floor: float = Field(description="Every dimension must reach this to approve")
    leak_risk_floor: float = Field(description="The leak-risk dimension must reach this")
    indicator_floor: float = Field(description="Every indicator must reach this to approve")

    def thresholds(self) -> dict[str, float]:
        return {
            "approve_at_least": self.approve_at_least,
            "reject_below": self.reject_below,
            "dimension_floor": self.dimension_floor,
            "leak_risk_floor": self.leak_risk_floor,
            "indicator_floor": self.indicator_floor,
        }


class Stage(StrEnum):
    """R34 and Table 1: the work of providing the data."""

    EXTRACTION = "extraction"  # 提取
    CLEANING = "cleaning"  # 清洗
    DEIDENTIFICATION = "deidentification"  # 脱敏
    TRANSFER = "transfer"  # 传递


class StageFee(Strict):
    stage: Stage
    label: Text
    hourly_rate: float = Field(ge=0, description="CNY per hour of work")
    base_hours: float = Field(ge=0)
    hours_per_dataset: float = Field(ge=0)
    hours_per_variable: float = Field(ge=0)
    level_multiplier: dict[PrivacyLevel, float] = Field(
        default_factory=dict, description="Multiplier per privacy level (missing: 1)"
    )
    delivery_multiplier: dict[DeliveryMethod, float] = Field(
        default_factory=dict, description="Multiplier per delivery method (missing: 1)"
    )

    @model_validator(mode="after")
    def _positive(self) -> StageFee:
        factors = [*self.level_multiplier.values(), *self.delivery_multiplier.values()]
        if any(f <= 0 for f in factors):
            raise ValueError(f"stage {self.stage}: multipliers must be greater than 0")
        return self


class FeeSchedule(Strict):
    """R34: cost-recovery fees, never profit."""

    currency: str = Field(pattern=r"^CNY$")
    fixed: float = Field(ge=0, description="Per application: registration and agreements")
    stages: list[StageFee] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_stage_once(self) -> FeeSchedule:
        if dups := _duplicates([s.stage.value for s in self.stages]):
            raise ValueError(f"fee stage listed more than once: {', '.join(dups)}")
        return self


class Meetings(Strict):
    """R15: the committees meet once a quarter."""

    cutoff_days: int = Field(
        ge=0, description="Complete this many days before a quarter ends to join its agenda"
    )

    def agenda_quarter(self, completed_on: date) -> str:
        """The quarter (e.g. 2026Q4) whose meeting takes an application completed that day."""
        year, quarter = completed_on.year, (completed_on.month - 1) // 3 + 1
        last = _quarter_end(year, quarter)
        if completed_on > last - timedelta(days=self.cutoff_days):
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        return f"{year}Q{quarter}"


def _quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, 3 * quarter + 1, 1) - timedelta(days=1)


def _duplicates(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


class Rubric(Strict):
    """``rubric/rubric.yaml``."""

    version: NonEmpty
    scale: Scale
    dimensions: list[DimensionSpec] = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    levels: list[LevelRule] = Field(min_length=1)
    fees: FeeSchedule
    meetings: Meetings

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        if dups := _duplicates([i.id for i in self.indicators]):
            raise ValueError(f"duplicate indicator id: {', '.join(dups)}")
        if dups := _duplicates([d.id.value for d in self.dimensions]):
            raise ValueError(f"dimension listed more than once: {', '.join(dups)}")
        if missing := sorted(set(Dimension) - {d.id for d in self.dimensions}):
            raise ValueError(f"dimension not described: {', '.join(missing)}")
        for dim in Dimension:
            if not any(i.dimension is dim for i in self.indicators):
                raise ValueError(f"dimension {dim} has no indicators")
        for ind in self.indicators:
            for band in ind.bands:
                if not self.scale.contains(band.score):
                    raise ValueError(
                        f"indicator {ind.id!r}: band score {band.score} is outside the scale "
                        f"{self.scale.min}..{self.scale.max}"
                    )
        self._check_levels()
        return self

    def _check_levels(self) -> None:
        if dups := _duplicates([r.level.value for r in self.levels]):
            raise ValueError(f"privacy level with more than one rule: {', '.join(dups)}")
        if missing := sorted(set(PrivacyLevel) - {r.level for r in self.levels}):
            raise ValueError(f"no decision rule for privacy level: {', '.join(missing)}")
        for rule in self.levels:
            for name, value in rule.thresholds().items():
                if not self.scale.contains(value):
                    raise ValueError(
                        f"level {rule.level}: {name} {value} is outside the scale "
                        f"{self.scale.min}..{self.scale.max}"
                    )
            if rule.reject_below > rule.approve_at_least:
                raise ValueError(
                    f"level {rule.level}: reject_below {rule.reject_below} is above "
                    f"approve_at_least {rule.approve_at_least}"
                )
        ordered = [self.level_rule(level) for level in PrivacyLevel]
        for lower, higher in pairwise(ordered):
            for name, value in lower.thresholds().items():
                if higher.thresholds()[name] < value:
                    raise ValueError(
                        f"level {higher.level} is laxer than {lower.level} on {name} "
                        f"({higher.thresholds()[name]} < {value}); higher levels are stricter"
                    )

    def indicator(self, id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == id), None)

    def reviewer_indicators(self, committee: Committee) -> list[Indicator]:
        return [
            i for i in self.indicators if i.source is Source.REVIEWER and i.committee is committee
        ]

    def computed_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.source is Source.COMPUTED]

    def level_rule(self, level: PrivacyLevel) -> LevelRule:
        return next(r for r in self.levels if r.level is level)

    def dimension(self, id: Dimension) -> DimensionSpec:
        return next(d for d in self.dimensions if d.id is id)

    def stage(self, stage: Stage) -> StageFee | None:
        return next((s for s in self.fees.stages if s.stage is stage), None)
