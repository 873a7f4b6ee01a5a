"""cohortgate: the data-sharing mechanism of a pediatric rare-disease cohort, as code.

The package is split along the two trust zones of the project:

* public side (``models``, ``catalog``, ``ontology``, ``disclosure``, ``site``, ``render``):
  reads only what may live in git and be published;
* custodian side (``custodian``): touches row-level cohort data and runs only on the data
  custodian's machine. Nothing on the public side imports it (``tests/test_boundaries.py``).
"""

__version__ = "0.1.0"
