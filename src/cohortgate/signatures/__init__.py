"""SSH signatures of commits, checked in process as git checks them, against allowed signers
generated from the roster.
"""
