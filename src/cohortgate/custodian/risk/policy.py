"""The re-identification gate's policy numbers (R28), in one commented place.

They live beside the gate they govern (the custodian's policy; ``cohortgate.policy`` holds the
public side's). Each number says who set it and why. The data management committee can set a
stricter policy per release; the defaults are the floor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskPolicy:
    """What a de-identified (L2) extract must satisfy before it leaves the custodian."""

    # Smallest equivalence class over the quasi-identifiers. 5: issue 5 ("defaults: k >= 5"),
    # the UK Biobank minimum of 5 for anything made public, and El Emam's guidance for
    # releases to a known, contract-bound recipient (highest prosecutor risk 1/5 = 0.2).
    k_min: int = 5
    # Distinct sensitive values in every class, per sensitive field. 2: issue 5 ("l >= 2 for
    # sensitive fields"): with l = 1 a class reveals its diagnosis/gene to anyone who can place
    # a person in it, whatever k is (homogeneity attack, Machanavajjhala et al. 2007).
    l_min: int = 2
    # Average prosecutor risk = classes / records (ARX "success rate", El Emam). 0.05: issue 5;
    # the lower end of the 0.05-0.1 range El Emam suggests for releases with strong contracts
    # (research note, privacy-anchors.md section 7 target 10).
    average_prosecutor_max: float = 0.05
    # Per-record risk above which a record counts as "at risk" (ARX's threshold tau; reported,
    # the gate refuses on it only through k_min). 0.2 = 1 / k_min, so the two agree.
    record_risk_threshold: float = 0.2
    # l used for recursive (c,l)-diversity in the report: the policy's l.
    recursive_l: int = 2
    # Largest t-closeness distance. None = reported, not enforced, by decision of the privacy
    # core (issue 5 lists k, l and prosecutor risk as the defaults). In rare-disease extracts the
    # gene is nearly determined by the diagnosis, a quasi-identifier, so t is close to 1 for any
    # release that keeps the diagnosis; a fixed t (0.2 is common in the literature) would refuse
    # every useful extract. The data management committee may set a value for releases whose
    # sensitive fields are not tied to a quasi-identifier.
    t_max: float | None = None
    # Share of records in classes of size 1. None = reported only: k_min >= 2 already forbids
    # sample uniques; this exists for a data management committee that accepts k = 1 with few
    # uniques.
    sample_uniqueness_max: float | None = None
    # The joined gate (risk.joined_gate): a recipient joins the release's tables through the
    # pseudonym into one record per person, with longitudinal quasi-identifiers (visit counts,
    # first visit, sequences of dates and intervals). Every combination of up to this many of
    # its quasi-identifiers must meet k_min, average_prosecutor_max and sample_uniqueness_max.
    # 3: the brief of the joined gate; what an attacker is assumed to know of one child
    # together (a neighbour: birth year, sex and the disease; a hospital colleague: the sex
    # and the visits), as the adversary's "power" bounds it in El Emam's de-identification of
    # longitudinal data. Each table's gate already judges its own full set.
    joined_max_qis: int = 3
    # Whether the joined record's full set of quasi-identifiers (all of them at once) must meet
    # the policy too. False: computed and reported in the manifest, not enforced. With the
    # whole visit history as one quasi-identifier nearly every child is unique on it; enforcing
    # it leaves no dates in a release of a few hundred children (the de-identification's
    # information loss is reported either way). The data management committee may set True.
    joined_full_set: bool = False


# The gate's defaults, set by issue 5 (R28) and the privacy core's research note.
DEFAULT_RISK_POLICY = RiskPolicy()
