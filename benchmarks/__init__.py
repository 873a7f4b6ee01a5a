"""Benchmarks: speed and memory targets, each measured against a named peer in the same run.

Run all of them with ``bash scripts/bench`` (see the README); they are never part of the tests.
"""
