"""What a golden comparison compares: a results file without what may differ between runs and machines."""

from __future__ import annotations

SANDBOX_NOTE = "(Graded without a sandbox"


def comparable(results: dict) -> dict:
    """What must not change between runs and machines: all but the timings and the isolation used."""
    results = dict(results, execution_time=None)
    results["tests"] = [dict(t, extra_data={k: v for k, v in t["extra_data"].items() if k != "tries"})
                        for t in results["tests"]]  # (a speed check's retries: their CPU times)
    results["extra_data"] = {k: v for k, v in results["extra_data"].items() if k != "isolation"}
    results["output"] = "\n".join(line for line in results["output"].splitlines() if SANDBOX_NOTE not in line)
    return results


def class_marks(results: dict) -> dict:
    """Take out what grade-class adds to a results file (its content hash and the submission time), which
    `grade` alone does not write, and return it."""
    return {k: results["extra_data"].pop(k) for k in ("content_hash", "submitted_at", "timestamp_error")}
