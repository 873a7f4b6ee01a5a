"""Codes of the loader: what can be wrong with a file before its content is looked at."""

from cohortgate.codes import declare

FILE_MISSING = declare(
    "file.missing",
    "File not found",
    "A file that the check needs does not exist.",
    "{what} not found",
    "Create it, or check the path for typos.",
)
FILE_TOO_LARGE = declare(
    "file.too-large",
    "File too large",
    "Files are read whole; a size limit keeps a bad file from exhausting memory.",
    "file is {size} bytes, more than the limit of {limit} bytes",
    "Forms and catalog entries are small text files; move data and attachments elsewhere.",
)
FILE_NOT_UTF8 = declare(
    "file.not-utf8",
    "Not UTF-8",
    "Every text file is UTF-8, so that Chinese text reads the same on every machine.",
    "byte {byte} at offset {offset} is not valid UTF-8",
    "Save the file as UTF-8 (in most editors: File > Save with encoding > UTF-8).",
)
YAML_SYNTAX = declare(
    "yaml.syntax",
    "YAML syntax error",
    "The file is not well-formed YAML.",
    "{problem}",
    "{hint}",
)
YAML_DUPLICATE_KEY = declare(
    "yaml.duplicate-key",
    "Duplicate key",
    "A key given twice in one mapping: YAML would silently keep the last one.",
    "key '{key}' appears twice in the same mapping (first on line {first_line})",
    "Keep one of the two entries and delete the other.",
)
YAML_TAB = declare(
    "yaml.tab",
    "Tab character used for indentation",
    "YAML forbids tabs for indentation; many editors insert them silently.",
    "a tab character is used for indentation",
    "Replace the tab with spaces (two spaces per level).",
)
YAML_ALIAS = declare(
    "yaml.alias",
    "Anchors and aliases are not accepted",
    "Aliases can expand a small file into a huge document (a 'billion laughs' attack).",
    "anchors and aliases (&name, *name) are not accepted",
    "Write the repeated values out in full.",
)
YAML_TOO_DEEP = declare(
    "yaml.too-deep",
    "Nesting too deep",
    "No form or catalog entry needs deep nesting; a limit keeps the loader safe.",
    "nesting deeper than {limit} levels",
    "Flatten the structure; compare with the template.",
)
YAML_NOT_MAPPING = declare(
    "yaml.not-a-mapping",
    "Document is not a mapping",
    "Each file holds one mapping of keys to values.",
    "the document is {kind}, not a mapping of keys to values",
    "Start from the template: the top level is 'key: value' lines.",
)
JSON_SYNTAX = declare(
    "json.syntax",
    "JSON syntax error",
    "The file is not well-formed JSON.",
    "{problem}",
    "Regenerate the file with the command that wrote it instead of editing it by hand.",
)
SCHEMA = declare(
    "schema.invalid",
    "Does not match the schema",
    "The value does not match the published JSON Schema of this kind of file.",
    "{message}",
    "{hint}",
)
