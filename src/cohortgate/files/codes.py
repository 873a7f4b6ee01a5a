"""Codes of the loader (what can be wrong with a file before its content is looked at) and of
the transactional writers of ``files.atomic`` (a disk that refuses a write, an interrupted write
recovered)."""

from cohortgate.findings import Severity
from cohortgate.findings.codes import declare

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
    "byte {byte} is not valid UTF-8: this part of the file was saved in another encoding",
    "Save the file as UTF-8 (in most editors: File > Save with encoding > UTF-8) and check "
    "the characters on this line afterwards.",
)
FILE_WRONG_ENCODING = declare(
    "file.wrong-encoding",
    "Saved in another encoding than UTF-8",
    "Every text file is UTF-8, so that Chinese text reads the same on every machine. Editors "
    "on Chinese Windows often save as GBK (GB18030), and some Windows tools as UTF-16; the "
    "check recognises these and names them.",
    "the file is encoded as {encoding}, not UTF-8",
    "Save it as UTF-8: in VS Code click the encoding in the status bar and choose 'Save with "
    "Encoding' > UTF-8; in Notepad use Save As > Encoding: UTF-8; or run "
    "'iconv -f {iconv} -t UTF-8 old.yaml > new.yaml'.",
)
FILE_CONTROL_CHARACTER = declare(
    "file.control-character",
    "Control character in a text file",
    "YAML allows only printable characters (plus tab and line breaks). A NUL byte or another "
    "control character is invisible in most editors; it usually comes from copying and "
    "pasting, or means that the file is not text at all.",
    "the file contains {char} ({name}), which a text file may not contain",
    "Delete the character (retype the line if you cannot see it); if the file is binary, "
    "attach it as a separate file instead.",
)
FILE_SYMLINK = declare(
    "file.symlink",
    "Symbolic link",
    "Files are read only when they are regular files in the repository: a symbolic link can "
    "point anywhere on the machine that runs the check, so links are never followed.",
    "the file is a symbolic link, which is not followed",
    "Commit the file itself in place of the link.",
)
FILE_NOT_REGULAR = declare(
    "file.not-regular",
    "Not a regular file",
    "Only regular files are read; a named pipe or a device could block the check or never end.",
    "the path is a {kind}, not a regular file",
    "Give the path of a YAML file.",
)
FILE_UNREADABLE = declare(
    "file.unreadable",
    "File cannot be read",
    "The file exists but the operating system refused to read it.",
    "the file cannot be read: {reason}",
    "Check the file's permissions.",
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
YAML_MULTIPLE_DOCUMENTS = declare(
    "yaml.multiple-documents",
    "More than one document",
    "A line '---' starts a new YAML document; each file holds exactly one, so a second one "
    "is usually a pasted separator or two files run together.",
    "a second YAML document starts here; a file holds only one",
    "Delete the '---' line (and '...' lines); if two forms were pasted together, keep one.",
)
YAML_TAG = declare(
    "yaml.tag",
    "Tags are not accepted",
    "A tag ('!!str', '!!python/object', '!custom') asks the reader to build a particular kind "
    "of value. Some YAML readers run code for tags; none is needed here, so tags are refused.",
    "the tag '{tag}' is not accepted",
    "Remove the tag; to keep a value as text, put it in quotes.",
)
YAML_TOO_MANY_VALUES = declare(
    "yaml.too-many-values",
    "Too many values",
    "No form or catalog entry holds that many values; a limit keeps the loader's memory bounded.",
    "the document holds more than {limit} values",
    "Shorten the file; a long list of codes or values belongs in a data file, not a form.",
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
FILE_WRITE_FAILED = declare(
    "file.write-failed",
    "File cannot be written",
    "Commands write their files as transactions (a staged copy, then one rename), so a disk "
    "that refuses a write (read-only, full, no permission) stops the command without leaving "
    "a file half-written.",
    "cannot write {target}: {reason}",
    "{fix}",
)
FILE_RECOVERED = declare(
    "file.recovered",
    "Interrupted write recovered",
    "A command killed while it wrote its files leaves a staging folder or a journal beside "
    "them; the next run finishes a write that had committed and discards one that had not, "
    "so the files are all old or all new, never a mix.",
    "{target}: {what}",
    "Nothing to repair; run the interrupted command again if its result is missing.",
    Severity.WARNING,
)
