"""De-identification of extracted tables by privacy level (R5, R18, R24, R29).

- L1 is aggregate data: it is not made row by row here but through the disclosure-control
  tables of the statistics engine (``NotRowLevel``).
- L3, and genetic variables at any level, never leave as a portable file (R18, R29):
  ``NotPortable``; the caller puts them into an enclave workspace instead. With
  ``portable=False`` (an enclave workspace) genetic variables are de-identified like the rest.
- L2, per column, by the catalog's privacy class (``models.dataset.Variable``):

  * ``patient_id`` -> HMAC-SHA-256(pseudonym key, patient id), first 128 bits in hex: the
    same in every table of a release, unrelated between releases (each has its own key);
    ``visit_id`` likewise, with the domain prefix ``visit_id:`` (``policy.PSEUDONYMISED_AT_L2``);
  * every other direct identifier -> dropped;
  * free text (type ``text``) -> dropped;
  * dates -> shifted by the patient's keyed offset (``shift_days``; intervals within a patient
    stay exact), or generalised to month ('YYYY-MM') or year ('YYYY');
  * ages (integer columns named ``*age_months`` or ``*age_years``/``age``) -> the pediatric
    bands of ``policy.AGE_BANDS``, in a column renamed to ``*age_band``;
  * ``province`` -> geographic region (``hierarchies.REGIONS``), renamed to ``region``;
  * the rest -> kept as extracted.

A column without a privacy class in the catalog is refused (R6: every released field is
classified). The result lists what was done to every variable, for the manifest.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.cohort.engine import ExtractError
from cohortgate.custodian.deid import codes
from cohortgate.custodian.deid.generalise import GeneralisationError
from cohortgate.custodian.deid.hierarchies import MISSING, REGIONS
from cohortgate.custodian.deid.longitudinal import LongitudinalError
from cohortgate.custodian.deid.policy import MAX_SHIFT_DAYS, PSEUDONYM_BITS
from cohortgate.findings import Finding
from cohortgate.models.dataset import Dataset, PrivacyClass, PrivacyLevel, Variable, VariableType
from cohortgate.policy import AGE_BANDS, PSEUDONYMISED_AT_L2

pd: Any = importlib.import_module("pandas")  # untyped; present wherever the custodian runs

Tables = Mapping[str, Mapping[str, npt.NDArray[Any]]]
Classes = Mapping[str, Mapping[str, Variable]]

# strictest first: when two datasets classify one column differently, the strictest wins
_STRICTNESS = (
    PrivacyClass.DIRECT_IDENTIFIER,
    PrivacyClass.GENETIC,
    PrivacyClass.QUASI_IDENTIFIER,
    PrivacyClass.SENSITIVE,
    PrivacyClass.OTHER,
)


class DeidentifyError(Exception):
    """The tables cannot be de-identified as asked; the message says why."""


class NotRowLevel(DeidentifyError):
    """L1 is released as disclosure-controlled tables, not as rows."""


class NotPortable(DeidentifyError):
    """L3 or genetic data: an enclave workspace only (R18, R29)."""


class Unclassified(DeidentifyError):
    """A column has no privacy class in the catalog (R6)."""


class DateMode(StrEnum):
    SHIFT = "shift"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class ReleaseKeys:
    pseudonym: bytes  # 32 random bytes from the vault
    date_shift: bytes

    def __post_init__(self) -> None:
        if len(self.pseudonym) < 16 or len(self.date_shift) < 16:
            raise ValueError("release keys must be at least 16 bytes (the vault makes 32)")
        if self.pseudonym == self.date_shift:
            raise ValueError("the pseudonym and date-shift keys must differ")


@dataclass(frozen=True)
class Treatment:
    table: str
    name: str  # the extracted column
    treatment: str  # what was done, for the manifest
    output: str | None  # the released column's name; None when dropped


@dataclass(frozen=True)
class Deidentified:
    level: str
    tables: dict[str, dict[str, npt.NDArray[Any]]]
    treatments: tuple[Treatment, ...]


class Keyed:
    """HMAC-SHA-256 under one key, many messages: the key's padded inner and outer hash
    states are computed once and copied per message (RFC 2104; equal to ``hmac.digest``,
    about 3x faster per message than it, which derives them again on every call)."""

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256(key).digest() if len(key) > 64 else key
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, message: str) -> bytes:
        return self.digests([message])[0]

    def pseudonym(self, value: str, domain: str = "") -> str:
        return self.pseudonyms([value], domain)[0]

    def shift_days(self, patient_id: str) -> int:
        return self.shifts([patient_id])[0]

    def digests(self, messages: list[str]) -> list[bytes]:
        """``digest`` of each message, in one loop (no call per message)."""
        inner, outer, out = self._inner, self._outer, []
        for message in messages:
            h = inner.copy()
            h.update(message.encode("utf-8"))
            o = outer.copy()
            o.update(h.digest())
            out.append(o.digest())
        return out

    def pseudonyms(self, values: list[str], domain: str = "") -> list[str]:
        size = PSEUDONYM_BITS // 8
        return [d[:size].hex() for d in self.digests([domain + v for v in values])]

    def shifts(self, patient_ids: list[str]) -> list[int]:
        """Keyed offsets in [-MAX_SHIFT_DAYS, -1] or [1, MAX_SHIFT_DAYS] (see shift_days)."""
        span, half = 2 * MAX_SHIFT_DAYS, MAX_SHIFT_DAYS
        out = []
        for d in self.digests(patient_ids):
            u = int.from_bytes(d[:8], "big") % span
            out.append(u - half if u < half else u - half + 1)
        return out


def pseudonym(key: bytes, value: str, domain: str = "") -> str:
    """HMAC-SHA-256 of ``domain + value`` under ``key``, first ``PSEUDONYM_BITS`` in hex."""
    return Keyed(key).pseudonym(value, domain)


def shift_days(key: bytes, patient_id: str) -> int:
    """The patient's keyed date offset in [-MAX_SHIFT_DAYS, -1] or [1, MAX_SHIFT_DAYS]:
    the first 64 bits of HMAC-SHA-256(key, patient id), reduced modulo 2 * MAX."""
    return Keyed(key).shift_days(patient_id)


def variable_classes(datasets: Iterable[Dataset]) -> dict[str, dict[str, Variable]]:
    """table -> column -> Variable over the datasets; the strictest class wins."""
    classes: dict[str, dict[str, Variable]] = {}
    for dataset in datasets:
        for table, variable in dataset.variables():
            current = classes.setdefault(table.source, {}).get(variable.name)
            if current is None or _STRICTNESS.index(variable.privacy) < _STRICTNESS.index(
                current.privacy
            ):
                classes[table.source][variable.name] = variable
    return classes


def _per_unique(values: npt.NDArray[Any], fn: Any) -> npt.NDArray[Any]:
    """``fn`` applied once to the list of distinct values (as strings), spread back to the
    rows (None stays None)."""
    codes, uniq = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = np.array([*fn([str(u) for u in uniq]), None], dtype=object)
    return np.asarray(mapped[np.where(codes < 0, len(uniq), codes)])


def _offsets(
    ids: npt.NDArray[Any], key: Keyed, extra_days: Mapping[str, int] | None
) -> npt.NDArray[np.int64]:
    extra = extra_days or {}
    codes, uniq = pd.factorize(pd.Series(ids, dtype=object))
    names = [str(u) for u in uniq]
    shifts = key.shifts(names)
    if extra:
        shifts = [s + int(extra.get(n, 0)) for s, n in zip(shifts, names, strict=True)]
    per = np.array([*shifts, 0], dtype=np.int64)
    return np.asarray(per[np.where(codes < 0, len(uniq), codes)], dtype=np.int64)


def _dates(values: npt.NDArray[Any], mode: DateMode, offsets: npt.NDArray[np.int64]) -> Any:
    days = np.asarray(values).astype("datetime64[D]")
    if mode is DateMode.SHIFT:
        return days + offsets.astype("timedelta64[D]")
    unit = "M" if mode is DateMode.MONTH else "Y"
    text = np.datetime_as_string(days.astype(f"datetime64[{unit}]")).astype(object)
    text[np.isnat(days)] = None
    return np.asarray(text, dtype=object)


def age_bands(years: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """``policy.AGE_BANDS`` labels of ages in (possibly fractional) years; missing -> None."""
    values = np.asarray(years, dtype=np.float64)
    lows = np.array([low for _, low, _ in AGE_BANDS], dtype=np.float64)
    labels = np.array([label for label, _, _ in AGE_BANDS] + [None], dtype=object)
    index = np.searchsorted(lows, np.floor(values), side="right") - 1
    index = np.where(np.isnan(values) | (index < 0), len(AGE_BANDS), index)
    return np.asarray(labels[index])


def _age_column(name: str) -> tuple[float, str] | None:
    """(divisor to years, output name) for an age column, else None."""
    if name.endswith("age_months"):
        return 12.0, name[: -len("months")] + "band"
    if name == "age" or name.endswith("age_years"):
        return 1.0, name.removesuffix("_years") + "_band"
    return None


def deidentify(
    tables: Tables,
    classes: Classes,
    level: PrivacyLevel | str,
    keys: ReleaseKeys,
    *,
    dates: DateMode | str = DateMode.SHIFT,
    extra_days: Mapping[str, int] | None = None,
    portable: bool = True,
) -> Deidentified:
    """De-identify extracted ``tables`` (each with ``patient_id``) at ``level`` (module doc).
    ``extra_days`` adds a per-patient number of days to the keyed date offset (the
    watermark's carrier)."""
    level = PrivacyLevel(level)
    mode = DateMode(dates)
    if level is PrivacyLevel.L1:
        raise NotRowLevel(
            "L1 is aggregate data: release it through the disclosure-control tables "
            "(statistics engine), not as rows"
        )
    if level is PrivacyLevel.L3 and portable:
        raise NotPortable("L3 data never leave as a portable file: use an enclave workspace")
    out: dict[str, dict[str, npt.NDArray[Any]]] = {}
    treatments: list[Treatment] = []
    keyed = (Keyed(keys.pseudonym), Keyed(keys.date_shift))
    for table, columns in tables.items():
        known = classes.get(table, {})
        unclassified = [c for c in columns if c not in known and c not in PSEUDONYMISED_AT_L2]
        if unclassified:
            raise Unclassified(
                f"{table}: no privacy class for {', '.join(unclassified)} in the catalog"
            )
        genetic = [c for c in columns if c in known and known[c].privacy is PrivacyClass.GENETIC]
        if genetic and portable:
            raise NotPortable(
                f"{table}: genetic variable(s) {', '.join(genetic)} never leave as a portable "
                "file: use an enclave workspace"
            )
        ids = np.asarray(columns["patient_id"], dtype=object)
        offsets = _offsets(ids, keyed[1], extra_days)
        result: dict[str, npt.NDArray[Any]] = {}
        for name, values in columns.items():
            done = _column(table, name, values, known.get(name), keyed[0], mode, offsets)
            treatments.append(done[0])
            if done[1] is not None:
                result[done[0].output or name] = done[1]
        out[table] = result
    return Deidentified(level.value, out, tuple(treatments))


def _column(
    table: str,
    name: str,
    values: npt.NDArray[Any],
    variable: Variable | None,
    pseudonyms: Keyed,
    mode: DateMode,
    offsets: npt.NDArray[np.int64],
) -> tuple[Treatment, npt.NDArray[Any] | None]:
    def done(
        what: str, output: str | None, data: npt.NDArray[Any] | None
    ) -> tuple[Treatment, npt.NDArray[Any] | None]:
        return Treatment(table, name, what, output), data

    if name in PSEUDONYMISED_AT_L2:
        domain = "" if name == "patient_id" else f"{name}:"
        data = _per_unique(values, lambda vs: pseudonyms.pseudonyms(vs, domain))
        return done(f"keyed pseudonym (HMAC-SHA-256, {PSEUDONYM_BITS} bits)", name, data)
    assert variable is not None
    if variable.privacy is PrivacyClass.DIRECT_IDENTIFIER:
        return done("dropped: direct identifier", None, None)
    if variable.type is VariableType.TEXT:
        return done("dropped: free text", None, None)
    if variable.type is VariableType.DATE or np.asarray(values).dtype.kind == "M":
        what = {
            DateMode.SHIFT: f"shifted by the patient's keyed offset (<= {MAX_SHIFT_DAYS} days)",
            DateMode.MONTH: "generalised to month",
            DateMode.YEAR: "generalised to year",
        }[mode]
        return done(what, name, _dates(values, mode, offsets))
    age = _age_column(name)
    if age is not None and variable.type in (VariableType.INTEGER, VariableType.DECIMAL):
        years = np.asarray(values, dtype=np.float64) / age[0]
        return done("pediatric age band (policy.AGE_BANDS)", age[1], age_bands(years))
    if name == "province":
        regions = np.array([*REGIONS.values(), None], dtype=object)
        index = pd.Categorical(pd.Series(values, dtype=object), categories=list(REGIONS)).codes
        data = regions[np.where(index < 0, len(REGIONS), index)]
        return done("generalised to geographic region", "region", np.asarray(data))
    return done("kept", name, np.asarray(values))


def finding_for(error: Exception, where: str) -> Finding | None:
    """The finding that reports an error of extraction, de-identification or generalisation
    (``where``: the release id or application folder); None for any other error."""
    if isinstance(error, ExtractError):
        return codes.VARIABLE_NOT_IN_COHORT.at(where, path="$.datasets", detail=str(error))
    if isinstance(error, Unclassified):
        return codes.UNCLASSIFIED_VARIABLE.at(where, path="$.datasets", detail=str(error))
    if isinstance(error, NotRowLevel):
        return codes.NOT_ROW_LEVEL.at(where, path="$.privacy_level")
    if isinstance(error, NotPortable):
        return codes.NOT_PORTABLE.at(where, path="$.delivery", detail=str(error))
    if isinstance(error, GeneralisationError):
        return codes.GENERALISATION_INFEASIBLE.at(where, path="$.risk", detail=str(error))
    if isinstance(error, LongitudinalError):
        return codes.LONGITUDINAL_INFEASIBLE.at(where, path="$.risk.joined", detail=str(error))
    return None


__all__ = [
    "MISSING",
    "DateMode",
    "Deidentified",
    "DeidentifyError",
    "Keyed",
    "NotPortable",
    "NotRowLevel",
    "ReleaseKeys",
    "Treatment",
    "Unclassified",
    "age_bands",
    "deidentify",
    "finding_for",
    "pseudonym",
    "shift_days",
    "variable_classes",
]
