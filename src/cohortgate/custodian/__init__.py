"""The custodian zone: code that touches row-level cohort data.

It runs only on the data custodian's machine. The public side (catalog, ontology, disclosure,
site, render, most of the CLI) never imports it; this package may import the public side.
Every SQL statement of the project lives in :mod:`cohortgate.custodian.cohort.engine`.
"""
