"""Objects read through ``git cat-file``: small ones in bulk, large blobs streamed.

``batch_objects`` reads many small objects (forms, sheets, trees, commits) with one process.

A sign-off binds the SHA-256 of every reviewed file, attachments included; an applicant decides
how large those are. Reading a 400 MB attachment whole to hash it took 851 MB of memory in
``review``: here every large blob goes through git in chunks of ``CHUNK`` bytes, and the
memory a digest takes does not grow with the file.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable, Iterator, Sequence


def batch_objects(working_dir: str, specs: Sequence[str]) -> dict[str, tuple[str, str, bytes]]:
    """{spec: (type, object id, content)} of each spec (an object id, a commit, or
    ``<rev>:<path>``) that names an object, from ONE ``git cat-file --batch``; specs naming
    nothing are left out, and so are specs with a newline (a file name may hold one): git reads
    one spec per line, and one such name would shift every answer after it."""
    wanted = sorted({spec for spec in specs if "\n" not in spec})
    if not wanted:
        return {}
    output = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=working_dir,
        input="".join(f"{spec}\n" for spec in wanted).encode("utf-8"),
        capture_output=True,
        check=True,
    ).stdout
    found: dict[str, tuple[str, str, bytes]] = {}
    at = 0
    for spec in wanted:  # git answers in the order asked
        end = output.index(b"\n", at)
        header = output[at:end].split()
        at = end + 1
        if len(header) != 3:  # "<spec> missing" (or ambiguous)
            continue
        size = int(header[2])
        found[spec] = (header[1].decode(), header[0].decode(), output[at : at + size])
        at += size + 1
    return found


CHUNK = 1024 * 1024  # what a large blob is read in: memory stays flat whatever its size


def blob_chunks(working_dir: str, object_id: str) -> Iterator[bytes]:
    """The content of blob ``object_id`` in chunks of at most ``CHUNK`` bytes, streamed from
    ``git cat-file blob``: never the whole blob in memory."""
    with subprocess.Popen(
        ["git", "cat-file", "blob", object_id],
        cwd=working_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as process:
        assert process.stdout is not None
        while chunk := process.stdout.read(CHUNK):
            yield chunk
        if process.wait() != 0:
            raise subprocess.CalledProcessError(process.returncode, ["git", "cat-file", "blob"])


def blob_sha256s(working_dir: str, object_ids: Iterable[str]) -> dict[str, str]:
    """{blob id: SHA-256 of its content} of each of ``object_ids`` that names a blob, streamed
    through ONE ``git cat-file --batch`` asked one object at a time (git flushes after each),
    in chunks: the memory used does not grow with the blobs' sizes. Remembered for the
    process (a blob id names its content for ever)."""
    asked = list(object_ids)
    wanted = sorted({oid for oid in asked if oid not in SHA256_OF and "\n" not in oid})
    if wanted:
        with subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=working_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            assert process.stdin is not None and process.stdout is not None
            for oid in wanted:
                process.stdin.write(f"{oid}\n".encode())
                process.stdin.flush()
                header = process.stdout.readline().split()
                if len(header) != 3:  # "<oid> missing"
                    continue
                digest, left = hashlib.sha256(), int(header[2])
                while left > 0:
                    chunk = process.stdout.read(min(CHUNK, left))
                    if not chunk:
                        raise EOFError(f"git cat-file ended inside {oid}")
                    digest.update(chunk)
                    left -= len(chunk)
                process.stdout.read(1)  # the newline after the content
                if header[1] == b"blob":
                    remember_sha256(oid, digest.hexdigest())
            process.stdin.close()
    return {oid: SHA256_OF[oid] for oid in asked if oid in SHA256_OF}


SHA256_OF: dict[str, str] = {}  # blob id -> SHA-256 of its content, for the process


def remember_sha256(object_id: str, digest: str) -> None:
    if len(SHA256_OF) >= 200_000:
        SHA256_OF.clear()
    SHA256_OF[object_id] = digest
