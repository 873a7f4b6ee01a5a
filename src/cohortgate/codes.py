"""The registry of finding codes: every domain's ``codes.py``, collected.

Each domain package declares its codes next to its checks (``cohortgate.findings.codes.declare``);
importing the declaring modules fills the registry. The site's error reference is generated from
it, and a test fails when a code that the code base uses is not declared.
"""

from __future__ import annotations

from cohortgate.findings.codes import CODES, Code

__all__ = ["CODES", "Code", "load_all"]


# The declaring modules, one per domain; keep this list in one place.
def load_all() -> dict[str, Code]:
    from cohortgate.applications import codes as _applications  # noqa: F401
    from cohortgate.approval import codes as _approval  # noqa: F401
    from cohortgate.catalog import codes as _catalog  # noqa: F401
    from cohortgate.custodian.deid import codes as _deid  # noqa: F401
    from cohortgate.custodian.intake import codes as _intake  # noqa: F401
    from cohortgate.custodian.participants import codes as _participants  # noqa: F401
    from cohortgate.custodian.release import codes as _release  # noqa: F401
    from cohortgate.custodian.risk import codes as _risk  # noqa: F401
    from cohortgate.custodian.trace import codes as _trace  # noqa: F401
    from cohortgate.custodian.vault import codes as _vault  # noqa: F401
    from cohortgate.disclosure import codes as _disclosure  # noqa: F401
    from cohortgate.files import codes as _files  # noqa: F401
    from cohortgate.gitread import codes as _gitread  # noqa: F401
    from cohortgate.lifecycle import codes as _lifecycle  # noqa: F401
    from cohortgate.review import codes as _review  # noqa: F401
    from cohortgate.site import codes as _site  # noqa: F401

    return CODES
