"""Glue for the pull-request workflow: which application folders a change touches, and the pre-
commit hooks applicants run.
"""
