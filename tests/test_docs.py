"""The documentation: the README stays the short way in, every relative link in it and in docs/ leads to a
file that exists (and to a heading there, where the link names one), and each benchmark rewrites only its own
block of docs/figures.md."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from figures import FIGURES, BlockError, block, replace_block  # noqa: E402

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BENCHMARKS = ("bench_grade", "bench_class", "bench_nbgrader", "bench_load")
FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(path: Path) -> list[str]:
    """The page's lines outside fenced code blocks, with inline code removed."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(re.sub(r"`[^`]*`", "", line))
    return lines


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces as hyphens, a repeated
    one numbered."""
    found: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if not heading:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(2)).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in found:
            n += 1
            anchor = f"{slug}-{n}"
        found.add(anchor)
    return found


def relative_links(path: Path) -> list[str]:
    return [target for line in prose_lines(path) for target in LINK.findall(line)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def test_the_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 160, f"README.md has {len(lines)} lines: move detail into docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path):
    broken = []
    for target in relative_links(page):
        file_part, _, anchor = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file or folder")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_every_page_is_in_the_index():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in PAGES[1:] if p.name != "README.md" and f"]({p.name})" not in index]
    assert not missing, f"docs/README.md lists no line for {missing}"


def test_the_link_checker_sees_links_and_anchors(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("# A page: `grade-class`, on paper\n\n## Again\n\n## Again\n\n"
                    "See [this](other.md#x) and [`code`](page.md#again-1), `[not a link](nowhere.md)`,\n"
                    "[out](https://example.org).\n\n```\n[nor this](nowhere.md)\n# nor a heading\n```\n",
                    encoding="utf-8")
    assert relative_links(page) == ["other.md#x", "page.md#again-1"]
    assert anchors(page) == {"a-page-grade-class-on-paper", "again", "again-1"}


# --- the figures' blocks ----------------------------------------------------------------------------------

PAGE = """# Figures

Notes before, kept.
<!-- bench_a -->

old table of a

<!-- /bench_a -->
Between the blocks, kept: <!-- bench_b --> in a sentence is not a marker.

<!-- bench_b -->
old table of b
<!-- /bench_b -->

Notes after, kept.
"""


def test_writing_a_block_replaces_exactly_that_block():
    new = replace_block(PAGE, "bench_a", "| new | table |\n|---|---|\n| 1 | 2 |\n")
    before, after = PAGE.split("<!-- bench_a -->\n")[0], PAGE.split("<!-- /bench_a -->")[1]
    assert new.startswith(before + "<!-- bench_a -->\n")
    assert new.endswith("<!-- /bench_a -->" + after)
    assert new == before + "<!-- bench_a -->\n\n| new | table |\n|---|---|\n| 1 | 2 |\n\n<!-- /bench_a -->" + after
    assert "old table of a" not in new and "old table of b" in new
    assert replace_block(new, "bench_a", "| new | table |\n|---|---|\n| 1 | 2 |") == new  # the same again: no change


def test_writing_the_other_block_leaves_the_first():
    new = replace_block(PAGE, "bench_b", "b, measured again")
    assert new.split("<!-- bench_b -->\n")[0] == PAGE.split("<!-- bench_b -->\n")[0]
    assert "old table of a" in new and "old table of b" not in new and "b, measured again" in new
    assert new.endswith("<!-- /bench_b -->\n\nNotes after, kept.\n")


@pytest.mark.parametrize("text", [
    "no block at all\n",
    "<!-- bench_a -->\nonly the start\n",
    "<!-- /bench_a -->\nend first\n<!-- bench_a -->\n",
    "<!-- bench_a -->\n1\n<!-- /bench_a -->\n<!-- bench_a -->\n2\n<!-- /bench_a -->\n",
])
def test_a_missing_or_doubled_block_is_an_error(text: str):
    with pytest.raises(BlockError):
        replace_block(text, "bench_a", "x")


def test_a_block_says_when_where_and_how():
    body = block("# Grading benchmark — 2026-12-03\n\nMachine: 2 CPUs\n\n| a |\n|---|\n", "bench_x.py",
                 ["--quick", "--figures", "/tmp/copy.md"])
    head, rest = body.split("\n", 1)
    assert re.fullmatch(r"Measured on \d{4}-\d\d-\d\d \(\d+ cores\) by `benchmarks/bench_x.py --quick`:", head)
    assert rest == "\nMachine: 2 CPUs\n\n| a |\n|---|\n"


@pytest.mark.parametrize("name", BENCHMARKS)
def test_each_benchmark_writes_its_own_block_of_the_figures(name: str):
    assert FIGURES == ROOT / "docs" / "figures.md"
    text = FIGURES.read_text(encoding="utf-8")
    replace_block(text, name, "x")  # exactly one block of that name
    assert f'record(args, "{name}", ' in (ROOT / "benchmarks" / f"{name}.py").read_text(encoding="utf-8")
