"""What a page shown to students or graders may contain: the lines of the hidden checks that must never show."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def lines_of(text: str) -> set[str]:
    """The lines of a text that could only come from it (not blank, not mere punctuation)."""
    return {line.strip() for line in text.splitlines() if len(re.sub(r"\W", "", line)) >= 8}


def seen_by_student(notebook: Path) -> set[str]:
    """The lines of a notebook the student received or wrote: they may show in feedback."""
    text = notebook.read_text(encoding="utf-8")
    with contextlib.suppress(ValueError, KeyError, TypeError):  # not a notebook: its text as it is
        text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
    return lines_of(text)


def hidden_lines() -> set[str]:
    """Every distinctive line of the course's hidden checks."""
    return set().union(*(lines_of(p.read_text(encoding="utf-8")) for p in (ROOT / "autograder/hidden").glob("*.py")))


def leaked(text: str, public: set[str], hidden: set[str]) -> list[str]:
    """The hidden lines in `text` that no line the student has explains (a hidden line that is part of one of
    theirs, such as `return cost`, proves nothing)."""
    return sorted(line for line in hidden - public if line in text and not any(line in p for p in public))
