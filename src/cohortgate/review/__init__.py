"""Committee review (R1, R13–R15): who may sign a review, and whether a commit is signed by them.

``signers`` turns the roster into the OpenSSH allowed-signers file that git verifies against;
``signatures`` asks git for the verdict on a commit. Only a good signature (``G``) whose
principal and key fingerprint both belong to a roster member is accepted; the author and
committer e-mails are never looked at.
"""
