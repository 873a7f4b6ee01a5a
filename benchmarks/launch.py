"""The launcher every measured program is started from: ``python -I -S launch.py RESULT ARGV...``.

Linux keeps a process's peak RSS (``ru_maxrss``) across ``exec``, and a child made by fork or
vfork starts from its parent's high-water mark: ``/bin/true`` forked off an 800 MB benchmark
process "uses" 815 MB. So the benchmark process never starts a measured program itself. It
starts this launcher (a bare interpreter: no site, nothing imported beyond the built-in ``os``,
``sys`` and ``time``), which forks and execs the program and waits for it: the program's
``ru_maxrss`` is then its own peak, or the launcher's floor when the program is smaller still
(about 5 MB: a plain fork copies only the launcher's own anonymous pages, where a vfork or
``posix_spawn`` child would inherit its whole resident size, about 9 MB).

The launcher writes one line to RESULT: wall seconds (from just before the fork to the
program's exit), user + system CPU seconds and peak RSS in KiB (``os.wait4``: the program and
the children it waited for; RSS is the largest of them, not their sum), and the wait status.
The program inherits the launcher's environment, working directory, stdin, stdout and stderr.
Nothing here may import a module that is not built into the interpreter.
"""

import os
import sys
import time


def main() -> int:
    result, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: becomes the program, or reports that it could not
        try:
            os.execvp(argv[0], argv)
        except OSError as error:
            os.write(2, f"launch.py: cannot run {argv[0]}: {error}\n".encode())
        os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    line = f"{wall:.6f} {usage.ru_utime + usage.ru_stime:.6f} {usage.ru_maxrss} {status}\n"
    fd = os.open(result, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
    finally:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
