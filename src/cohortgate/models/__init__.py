"""pydantic models: the single source of truth for every file format and its JSON Schema."""
