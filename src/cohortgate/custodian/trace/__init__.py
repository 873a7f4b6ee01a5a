"""Watermarks and tracing: the per-recipient fingerprint embedded in a release and the tracer that
names the recipient of a leaked file.
"""
