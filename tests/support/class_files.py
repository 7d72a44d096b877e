"""A class report's numbers computed straight from its results files, the plain way, to hold `report` to."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from conftest import read_json


def counted_from_files(folder: Path) -> dict:
    """The summary's counts, computed straight from the results files, the plain way."""
    counted = {}
    for path in sorted(folder.glob("*/*.results.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            doc = None
        a = counted.setdefault(path.name.removesuffix(".results.json"),
                               {"files": 0, "missing": 0, "scores": [], "marks": {}, "tags": {}})
        a["files"] += 1
        if doc is None:
            continue
        if doc["extra_data"].get("missing"):
            a["missing"] += 1
            continue
        a["scores"].append(doc["score"])
        per_function: dict[str, list[float]] = {}
        for test in doc["tests"]:
            got = per_function.setdefault(test["name"].split(": ")[0], [0.0, 0.0])
            got[0] += test["score"]
            got[1] += test["max_score"]
            for tag in [] if doc["extra_data"].get("notebook_error") else test.get("tags", []):
                a["tags"].setdefault(tag, set()).add(path.parent.name)
        for function, (got, out_of) in per_function.items():
            kind = "zero" if got == 0 else "full" if abs(got - out_of) < 1e-9 else "partial"
            a["marks"].setdefault(function, {"full": 0, "partial": 0, "zero": 0})[kind] += 1
    return counted


def assert_summary_matches_files(folder: Path) -> None:
    summary = read_json(folder / "summary.json")
    counted = counted_from_files(folder)
    assert set(summary["assignments"]) == set(counted)
    for name, a in summary["assignments"].items():
        c = counted[name]
        assert a["submissions"] == c["files"] - c["missing"]
        assert len(a["missing"]) == c["missing"]
        assert sum(a["histogram"]["counts"]) == len(c["scores"])
        assert a["mean"] == pytest.approx(statistics.fmean(c["scores"]), abs=0.005)
        assert a["median"] == pytest.approx(statistics.median(c["scores"]), abs=0.005)
        assert {f["name"]: {k: f[k] for k in ("full", "partial", "zero")} for f in a["functions"]} == c["marks"]
        assert {m["id"]: set(m["students"]) for m in a["mistakes"]} == c["tags"]
        assert all(m["count"] == len(m["students"]) for m in a["mistakes"])
