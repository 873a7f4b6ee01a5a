"""Data-access applications: each `submissions/<year>/<id>/application.yaml`, its attachments
and the checks against the catalog, the institutions, the blacklist and the ontology
(`validate.validate_applications`)."""
