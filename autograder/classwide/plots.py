"""The report's plots, drawn with matplotlib's Agg renderer into PNG bytes (no display, no pyplot state).

Each function takes numbers from the summary (the same ones summary.json holds) and returns a PNG.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

FULL, PARTIAL, ZERO = "#2e7d32", "#f9a825", "#c62828"


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def score_histogram(edges: list[float], counts: list[int], mean: float | None, median: float | None,
                    max_score: float) -> bytes:
    """How many students scored in each band of points, with the mean and the median marked."""
    figure = Figure(figsize=(6.4, 3.2))
    axes = figure.subplots()
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    axes.bar(edges[:-1], counts, width=widths, align="edge", color="#5c6bc0", edgecolor="white")
    for value, label, style in ((mean, "mean", "-"), (median, "median", "--")):
        if value is not None:
            axes.axvline(value, color="black", linestyle=style, linewidth=1.5, label=f"{label} {value:g}")
    axes.set_xlim(0, max_score or 1)
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    if mean is not None:
        axes.legend(loc="upper left", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return png(figure)


def function_marks(functions: list[dict]) -> bytes:
    """For each graded function, the share of students with full marks, partial marks and zero."""
    figure = Figure(figsize=(6.4, 0.45 * len(functions) + 1.2))
    axes = figure.subplots()
    names = [f"{f['name']} ({f['points']:g})" for f in functions][::-1]
    totals = [max(1, f["full"] + f["partial"] + f["zero"]) for f in functions][::-1]
    left = [0.0] * len(functions)
    for kind, colour in (("full", FULL), ("partial", PARTIAL), ("zero", ZERO)):
        shares = [100 * f[kind] / total for f, total in zip(functions[::-1], totals, strict=True)]
        axes.barh(names, shares, left=left, color=colour, label=f"{kind} marks" if kind != "zero" else "zero")
        left = [a + b for a, b in zip(left, shares, strict=True)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of students")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return png(figure)
