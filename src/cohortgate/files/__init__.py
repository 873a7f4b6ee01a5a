"""Reading and writing files: strict YAML and text loading with located findings, model checks, the
parse cache, atomic writes and the minimal PDF writer.
"""
