"""Releases on the custodian's machine: the vault, its log, the encrypted package."""
