"""Start the student process: in a bubblewrap sandbox where one can run, otherwise as a plain process.

The sandbox sees the system's libraries and the Python that runs the grader (read-only), a private /tmp,
and nothing else: not the course repository (solutions/, the hidden tests, the grader's code, the
gradebook), not the submission's folder, not the results file, not the network. Without it, the student
process still runs apart from the checks, with resource limits, but can read what the grader's user can
read; the results say so.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

WORKER_SOURCE = Path(__file__).with_name("worker.py")

# Environment of the student process: nothing of the grader's (tokens, paths) leaks in.
CLEAN_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": "/tmp",
    "OPENBLAS_NUM_THREADS": "1",  # one thread: steadier timings, smaller memory footprint, same numbers
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
for _name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine-specific numpy fixes must still apply
    if _name in os.environ:
        CLEAN_ENV[_name] = os.environ[_name]


def python_roots() -> list[str]:
    """The folders the grader's Python and its packages live in: the sandbox must see them."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(sys.executable).resolve().parent.parent)}
    import numpy

    roots.add(str(Path(numpy.__file__).resolve().parent))
    return sorted(r for r in roots if os.path.isdir(r) and not Path(r).is_relative_to("/usr"))


def bwrap_command() -> list[str]:
    cmd = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
           "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
           "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
           "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--chdir", "/tmp"]
    for link in ("bin", "lib", "lib32", "lib64", "sbin"):  # merged-/usr systems keep these as symlinks
        path = Path("/", link)
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]
    for root in python_roots():
        cmd += ["--ro-bind", root, root]
    return cmd + ["--remount-ro", "/"]  # only the private /tmp stays writable


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap is installed and allowed to create namespaces here (containers may forbid it)."""
    if shutil.which("bwrap") is None:
        return False
    probe = bwrap_command() + [sys.executable, "-I", "-S", "-c", "pass"]  # -S: start-up only, no imports
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, env=CLEAN_ENV).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def start_worker(sandbox: bool, memory_bytes: int, workdir: str) -> tuple[subprocess.Popen, str]:
    """Start the student process; returns it and the name of the isolation it runs under.

    `workdir` is its current folder when it runs without the sandbox (inside, that is the private /tmp).
    """
    env = dict(CLEAN_ENV, GRADER_MEMORY=str(memory_bytes))
    python = [sys.executable, "-I", "-c", WORKER_SOURCE.read_text()]
    if sandbox and bwrap_works():
        cmd, cwd, kind = bwrap_command() + python, None, "bubblewrap"
    else:
        cmd, cwd, kind = python, workdir, "none"
    process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=cwd, env=env, start_new_session=True, bufsize=0)
    return process, kind
