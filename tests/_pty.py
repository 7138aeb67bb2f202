"""A command run on a real pseudo-terminal of a given width, as a user at a terminal sees it.

Shared by the tests of what scosim prints at an 80-column terminal (stderr's warnings,
and the messages of run, validate, hindcast, data, sweep and exits).
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

#: Colour and cursor escapes a terminal program may write; not text.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_pty(cmd: list[str], *, width: int, cwd: os.PathLike, env: dict[str, str],
           stdout: bool = True) -> tuple[int, str]:
    """Run ``cmd`` with stderr (and, where ``stdout``, stdout) on a pty ``width`` columns wide.

    Returns its exit status and what it wrote to the terminal, escapes removed and line
    ends as ``\\n``. Skipped where the platform has no pty.
    """
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    main_fd, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, width, 0, 0))
    proc = subprocess.Popen(cmd, stdin=child, stdout=child if stdout else subprocess.DEVNULL,
                            stderr=child, cwd=cwd, env=env)
    os.close(child)
    got = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        got += chunk
    os.close(main_fd)
    return proc.wait(), ANSI.sub("", got.decode().replace("\r\n", "\n"))
