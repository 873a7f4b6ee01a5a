from cohortgate.cli import entry

entry()
