"""What compiled code prints while `scosim transfers` prices goes to stderr, not the answer.

HiGHS 1.12 (SciPy 1.17) prints a debug line to the C library's stdout whatever its
options (scosim.native_stdout); it stood at the top of the answer at 2,000 runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from scosim.native_stdout import native_stdout_to_stderr


def test_descriptor_one_goes_to_stderr_within_the_block_only(capfd) -> None:
    os.write(1, b"before\n")
    with native_stdout_to_stderr():
        os.write(1, b"stray\n")
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert out == "before\nafter\n"
    assert err == "stray\n"


def test_a_line_the_c_library_prints_goes_to_stderr_not_into_the_answer() -> None:
    # puts writes through the C library's stdout, as HiGHS's printf does; a child process
    # so that stdout is a pipe, as when a user pipes the answer. Without the block the
    # line is on stdout beside "answer".
    code = textwrap.dedent("""
        import ctypes
        from scosim.native_stdout import native_stdout_to_stderr
        libc = ctypes.CDLL(None)
        with native_stdout_to_stderr():
            libc.puts(b"HighsMipSolverData stray")
        print("answer", flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ})
    assert proc.stdout == "answer\n"
    assert "HighsMipSolverData stray" in proc.stderr
