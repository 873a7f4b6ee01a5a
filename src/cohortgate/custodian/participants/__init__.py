"""Participants' rights on the custodian's side: opt-outs (R32) and reports (R33, R35)."""
