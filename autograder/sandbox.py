"""Start the student process inside the strongest isolation this machine allows.

Layers, strongest first:
- bubblewrap: the process sees the system's libraries and the Python that runs the grader (read-only), a
  private /tmp, and nothing else: not the course repository (solutions/, the hidden checks, the grader, the
  gradebook), not the submission's folder, not the results file, not the network, no other process.
- landlock: where bubblewrap cannot run (no root and no user namespaces), the process restricts itself:
  it reads only the system and the Python installation, writes only its scratch folder, opens no TCP
  connection and signals no process outside itself; a keeper kills whatever it started when it ends.
- none: a separate process with resource limits and the keeper, and nothing else; the results say so.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from .protocol import Limits

HERE = Path(__file__).resolve().parent
STUDENT_SIDE = ("protocol", "landlock", "worker")  # the grader's modules the student process runs
LAYERS = ("bubblewrap", "landlock")  # tried in this order when grading with a sandbox
SYSTEM = ["/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/alternatives"]

# Environment of the student process: nothing of the grader's (tokens, paths) leaks in.
CLEAN_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "OPENBLAS_NUM_THREADS": "1",  # one thread: steadier timings, smaller memory footprint, same numbers
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
for _name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine-specific numpy fixes must still apply
    if _name in os.environ:
        CLEAN_ENV[_name] = os.environ[_name]

# Loads the student side from source under its package name, so that its relative imports work, then runs it.
BOOT = """
import sys, types
sys.modules["autograder"] = package = types.ModuleType("autograder")
package.__path__ = []
for name, source in SOURCES:
    module = types.ModuleType("autograder." + name)
    module.__package__ = "autograder"
    sys.modules[module.__name__] = module
    exec(compile(source, "<grader " + name + ">", "exec"), module.__dict__)
sys.modules["autograder.worker"].main()
"""


@functools.cache
def boot_code() -> str:
    sources = [(name, (HERE / f"{name}.py").read_text(encoding="utf-8")) for name in STUDENT_SIDE]
    return f"SOURCES = {sources!r}\n{BOOT}"


def python_roots() -> list[str]:
    """The folders the grader's Python and its packages live in: the student process must see them."""
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


def exposed(paths: list[Path]) -> list[Path]:
    """Those of `paths` (the solutions, the hidden checks) that student code could read under either layer:
    a course repository under /usr, or inside the Python installation, is not hidden from it."""
    roots = [Path(r) for r in SYSTEM + python_roots()]
    return [p for p in paths if any(Path(p).resolve().is_relative_to(r) for r in roots)]


def start_worker(layers: tuple[str, ...], limits: Limits, scratch: str) -> tuple[subprocess.Popen, str]:
    """Start the student process under the first layer of `layers` that works here.

    Returns the process and the layer it asked for: "bubblewrap", or the layer the process itself will
    report in its "ready" message ("landlock", or "none" where the kernel has no Landlock).
    `scratch` is its current and only writable folder outside bubblewrap (inside, that is a private /tmp).
    """
    bubblewrap = "bubblewrap" in layers and bwrap_works()
    home = "/tmp" if bubblewrap else scratch
    setup = {"limits": asdict(limits), "keeper": not bubblewrap, "scratch": scratch,
             "layer": "bubblewrap" if bubblewrap else "landlock" if "landlock" in layers else "none",
             "readable": SYSTEM + python_roots()}
    env = dict(CLEAN_ENV, HOME=home, MPLCONFIGDIR=home, GRADER_SETUP=json.dumps(setup))
    python = [sys.executable, "-I", "-c", boot_code()]
    cmd = bwrap_command() + python if bubblewrap else python
    process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=None if bubblewrap else scratch, env=env, start_new_session=True, bufsize=0)
    return process, setup["layer"]
