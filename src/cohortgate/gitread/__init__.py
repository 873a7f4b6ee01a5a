"""Reading git: blobs and trees at a commit, one walk of the history per head, trusted documents at
the base commit, what runs remember.
"""
