"""De-identification for a release: pseudonyms, date shifts, generalisation hierarchies and the
lattice search for k and l.
"""
