"""The custodian's vault: per-release keys, membership and trace arrays behind a hash-chained log,
and its audit.
"""
