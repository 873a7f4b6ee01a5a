"""The public catalog: institutions, datasets and their published statistics."""
