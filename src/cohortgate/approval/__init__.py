"""Verifying an approval: sign-offs judged against the roster, quorum, the digests that sheets and
decisions bind, and the decision the rubric allows. Both the committees' review and the
custodian's release import it.
"""
