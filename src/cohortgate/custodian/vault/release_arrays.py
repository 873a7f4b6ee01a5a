"""The row-level arrays of a release that the tracer needs, stored in the vault as ``.npz``
sealed with age (``<name>.npz.age``: written once with the log entry holding the digest of the
sealed bytes, in one transaction; loaded without pickle) and read back against that digest.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cohortgate.custodian.vault.codes import BAD_RECORD
from cohortgate.custodian.vault.log import VaultError
from cohortgate.custodian.vault.release_records import Record, ReleaseRecords, _sha256
from cohortgate.custodian.vault.sealed import SUFFIX

_ARRAYS_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class ReleaseArrays(ReleaseRecords):
    """The per-release records of an opened vault and its row-level arrays."""

    # --- row-level arrays (trace) -------------------------------------------------------------

    def record_arrays(
        self, release_id: str, name: str, arrays: Mapping[str, npt.NDArray[Any]]
    ) -> None:
        """Store named columns of a release (written once). Text columns are stored as
        fixed-width Unicode (a missing value as ''), so that loading needs no pickle."""
        self._write([self._arrays_record(self._known(release_id), release_id, name, arrays)])

    def _arrays_record(
        self, folder: Path, release_id: str, name: str, arrays: Mapping[str, npt.NDArray[Any]]
    ) -> Record:
        if not _ARRAYS_NAME.match(name):
            raise VaultError(
                BAD_RECORD, what=f"'{name}' is not a plain array-set name", fix="Use a-z, 0-9, -."
            )
        if self._stored(folder, f"{name}.npz").exists():
            raise VaultError(
                BAD_RECORD,
                what=f"the arrays '{name}' of {release_id} are already recorded",
                fix="A release's arrays are written once; make a new release instead.",
            )
        plain: dict[str, npt.NDArray[Any]] = {}
        for column, values in arrays.items():
            data = np.asarray(values)
            if data.dtype == object:
                data = np.asarray(["" if v is None else str(v) for v in data], dtype=np.str_)
            plain[column] = data
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **plain)
        return Record(
            "release.arrays",
            {"release": release_id, "name": name, "columns": len(plain)},
            folder / f"{name}.npz",
            buffer.getvalue(),
            "sha256",
        )

    def arrays(self, release_id: str, name: str) -> dict[str, npt.NDArray[Any]]:
        """The columns stored by ``record_arrays`` (checked against the log's digest)."""
        path = self._stored(self._known(release_id), f"{name}.npz")
        if not _ARRAYS_NAME.match(name) or not path.is_file():
            raise VaultError(
                BAD_RECORD,
                what=f"{release_id} has no arrays '{name}'",
                fix="Only releases made by `cohortgate release` hold them.",
            )
        data = path.read_bytes()
        logged = [
            e["details"]
            for e in self.log.entries()
            if e["op"] == "release.arrays"
            and e["details"].get("release") == release_id
            and e["details"].get("name") == name
        ]
        if not logged or logged[-1].get("sha256") != _sha256(data):
            raise VaultError(
                BAD_RECORD,
                what=f"the arrays '{name}' of {release_id} differ from what the log recorded",
                fix="Restore the vault from its backup.",
            )
        with np.load(io.BytesIO(self._opened(path, data)), allow_pickle=False) as loaded:
            found = {key: loaded[key] for key in loaded.files}
        self.log.append("release.arrays-read", {"release": release_id, "name": name})
        return found

    def array_sets(self, release_id: str) -> list[str]:
        """The names of the array sets stored for a release, sorted."""
        found = self._known(release_id).glob("*.npz*")
        return sorted({p.name.split(".", 1)[0] for p in found if p.suffix in (".npz", SUFFIX)})
