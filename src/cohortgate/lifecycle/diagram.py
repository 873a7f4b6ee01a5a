"""The lifecycle as a mermaid state diagram, drawn from ``models.lifecycle.TRANSITIONS`` alone."""

from __future__ import annotations

from cohortgate.models.lifecycle import ROLE_OF, TRANSITIONS, Transition


def edge_label(t: Transition) -> str:
    """``trigger (role) [guards] needs …``: what the arrow says."""
    label = f"{t.trigger} ({ROLE_OF[t.trigger]})"
    if t.guards:
        label += " [" + ", ".join(str(g) for g in t.guards) + "]"
    if t.requires:
        label += " after " + ", ".join(str(r) for r in t.requires)
    return label


def mermaid() -> str:
    """A ``stateDiagram-v2``: one arrow per row of the table, in the table's order."""
    lines = ["stateDiagram-v2"]
    for t in TRANSITIONS:
        source = "[*]" if t.source is None else t.source.value
        lines.append(f"    {source} --> {t.target.value} : {edge_label(t)}")
    lines.append("    closed --> [*]")
    return "\n".join(lines) + "\n"
