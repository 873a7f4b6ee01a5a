"""Codes of the rubric (`rubric/rubric.yaml`) and its computed indicators (R14, R34)."""

from cohortgate.codes import declare  # noqa: F401
