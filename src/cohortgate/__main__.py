"""``python -m cohortgate``: the same command as ``cohortgate``."""

from cohortgate.cli import entry

entry()
