"""Draw every teaching figure of the course.

    python assets/draw.py              # draw all figures, copy them into solutions/*/assets/
    python assets/draw.py sigmoid      # redraw only some figures (name with or without .png)
    python assets/draw.py --check      # exit 1 if a solutions copy is missing or differs from assets/

The figures are plain matplotlib (Agg backend, default DejaVu fonts, no network), and the PNGs
are byte-for-byte reproducible: no timestamps or "Software" tag in the metadata, no randomness.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Patch

NEURON = "01_neuron"
LOGREG = "02_logistic_regression"
ACTIVATIONS = "03_activation_functions"

DrawFunction = Callable[[], Figure]


def figure_table() -> dict[str, tuple[DrawFunction, tuple[str, ...]]]:
    """The single list of figures: file name -> (drawing function, assignments that show it).

    It is a function (not a constant) only so that it can sit at the top of the file and still
    name the drawing functions defined further down.
    """
    return {
        "neuron_biological_vs_artificial.png": (draw_neuron_biological_vs_artificial, (NEURON,)),
        "weights_and_bias.png": (draw_weights_and_bias, (NEURON,)),
        "xor.png": (draw_xor, (NEURON,)),
        "network_layers.png": (draw_network_layers, (LOGREG,)),
        "logistic_regression_neuron.png": (draw_logistic_regression_neuron, (LOGREG,)),
        "sigmoid.png": (draw_sigmoid, (LOGREG, ACTIVATIONS)),
        "convex_vs_nonconvex.png": (draw_convex_vs_nonconvex, (LOGREG,)),
        "gradient_descent.png": (draw_gradient_descent, (LOGREG,)),
        "why_nonlinear.png": (draw_why_nonlinear, (ACTIVATIONS,)),
        "activation_gallery.png": (draw_activation_gallery, (ACTIVATIONS,)),
    }


# Paths come from this file, not from the working directory, so the script runs from anywhere.
ASSETS = Path(__file__).resolve().parent
ROOT = ASSETS.parent
SOLUTIONS = ROOT / "solutions"

DPI = 100  # figures are 10-12 inches wide -> 1000-1200 px

# Okabe-Ito colours: distinguishable with the common forms of colour blindness.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
INK = "#222222"  # text and outlines
GREY = "#8C8C8C"  # guides: axes lines, asymptotes, light connections

STYLE = {
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.labelsize": 12,
    "legend.fontsize": 11,
    "figure.titlesize": 15,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.2,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "savefig.facecolor": "white",
}


# --------------------------------------------------------------------------------------------
# Small numpy implementations of the functions we plot (kept here so the figures need nothing
# but numpy and matplotlib).
# --------------------------------------------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable sigmoid: exp is only ever taken of a non-positive number."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def softmax(v: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax; subtracting the max first avoids overflow and does not change the result."""
    e = np.exp(v - v.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def activations() -> list[tuple[str, Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]]:
    """(title, function, derivative) for every activation in the gallery."""
    leak = 0.1  # larger than the usual 0.01 so that the slope for z < 0 is visible
    gelu_c = np.sqrt(2.0 / np.pi)

    def gelu(z: np.ndarray) -> np.ndarray:
        return 0.5 * z * (1.0 + np.tanh(gelu_c * (z + 0.044715 * z**3)))

    def gelu_grad(z: np.ndarray) -> np.ndarray:
        t = np.tanh(gelu_c * (z + 0.044715 * z**3))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t**2) * gelu_c * (1.0 + 3 * 0.044715 * z**2)

    def leaky_relu(z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, leak * z)

    def elu(z: np.ndarray) -> np.ndarray:
        # np.minimum keeps exp away from large positive z, where the branch is not used anyway.
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))

    def sigmoid_like_grad(s: np.ndarray) -> np.ndarray:
        return s * (1 - s)

    def softmax_first(z: np.ndarray) -> np.ndarray:
        # First entry of softmax([z, 1, 0]) as z varies; its derivative is s * (1 - s).
        vectors = np.stack([z, np.ones_like(z), np.zeros_like(z)], axis=-1)
        return softmax(vectors)[..., 0]

    return [
        ("Sigmoid", sigmoid, lambda z: sigmoid_like_grad(sigmoid(z))),
        ("Tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        ("ReLU", relu, lambda z: (z > 0).astype(float)),
        (f"Leaky ReLU (α = {leak})", leaky_relu, lambda z: np.where(z > 0, 1.0, leak)),
        ("ELU (α = 1)", elu, lambda z: np.where(z > 0, 1.0, elu(z) + 1)),
        ("GELU (tanh approximation)", gelu, gelu_grad),
        ("SiLU / Swish", lambda z: z * sigmoid(z), lambda z: sigmoid(z) * (1 + z * (1 - sigmoid(z)))),
        ("Softmax: $s_1$ of scores $[z_1, 1, 0]$", softmax_first, lambda z: sigmoid_like_grad(softmax_first(z))),
    ]


# --------------------------------------------------------------------------------------------
# Drawing helpers shared by the diagrams.
# --------------------------------------------------------------------------------------------


def new_figure(width: float, height: float) -> Figure:
    """A figure attached to an Agg canvas directly: no pyplot, so no global state and no GUI."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def diagram_axes(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float], title: str = "") -> None:
    """Axes for a schematic: equal aspect so circles stay round, no ticks or frame."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)


def node(ax: Axes, xy: tuple[float, float], r: float, label: str, face: str, fontsize: float = 15) -> None:
    ax.add_patch(Circle(xy, r, facecolor=face, edgecolor=INK, linewidth=1.5, zorder=3))
    ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=4)


def box(ax: Axes, xy: tuple[float, float], size: float, label: str, face: str, fontsize: float = 20) -> None:
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - size / 2, y - size / 2), size, size, boxstyle="round,pad=0,rounding_size=0.15",
            facecolor=face, edgecolor=INK, linewidth=1.5, zorder=3,
        )
    )
    ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, zorder=4)


def arrow(
    ax: Axes, start: tuple[float, float], end: tuple[float, float],
    color: str = INK, lw: float = 1.6, head: float = 16, zorder: float = 2,
) -> None:
    ax.annotate(
        "", xy=end, xytext=start, zorder=zorder,
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": lw, "mutation_scale": head,
                    "shrinkA": 0, "shrinkB": 0},
    )


def edge(a: tuple[float, float], b: tuple[float, float], r: float) -> tuple[float, float]:
    """The point at distance r from a towards b: where a line from a circle's centre leaves it."""
    d = np.subtract(b, a)
    p = np.add(a, r * d / np.hypot(*d))
    return float(p[0]), float(p[1])


def label_arrow(ax: Axes, text: str, text_xy: tuple[float, float], target: tuple[float, float]) -> None:
    """A text label with a thin pointer line to the part it names."""
    ax.annotate(
        text, xy=target, xytext=text_xy, ha="center", va="center", fontsize=12,
        arrowprops={"arrowstyle": "-", "color": GREY, "lw": 1.0, "shrinkA": 4, "shrinkB": 0},
    )


def zero_lines(ax: Axes) -> None:
    ax.axhline(0, color=GREY, lw=0.8, zorder=1)
    ax.axvline(0, color=GREY, lw=0.8, zorder=1)


def draw_artificial_neuron(ax: Axes, weights: list[float] | None = None) -> tuple[float, float]:
    """Inputs x1..x3 -> weighted sum node.  Returns the centre of the sum node.

    With `weights`, arrow width shows |w| and colour shows the sign (used by the weights figure).
    """
    inputs = [(1.0, 5.0), (1.0, 3.2), (1.0, 1.4)]
    sum_xy, sum_r, in_r = (5.0, 3.2), 0.75, 0.45
    for i, xy in enumerate(inputs):
        node(ax, xy, in_r, f"$x_{i + 1}$", "#DCEBF7")
        start, end = edge(xy, sum_xy, in_r), edge(sum_xy, xy, sum_r)
        if weights is None:
            arrow(ax, start, end)
            text = f"$w_{i + 1}$"
        else:
            w = weights[i]
            color = BLUE if w > 0 else VERMILLION
            arrow(ax, start, end, color=color, lw=1.0 + 2.5 * abs(w), head=14 + 4 * abs(w))
            text = f"$w_{i + 1} = {w:g}$"
        # Label the arrow near its tail, on the side away from the middle arrow (above for the upper
        # inputs, below for the lowest), pushed out by half the arrow's width so that it never sits on it.
        width = 0.0 if weights is None else 0.04 * abs(weights[i])
        mx, my = 0.7 * start[0] + 0.3 * end[0], 0.7 * start[1] + 0.3 * end[1]
        above = xy[1] >= sum_xy[1]
        ax.text(mx, my + (0.38 + width if above else -0.42 - width), text, ha="center", va="center", fontsize=13)
    node(ax, sum_xy, sum_r, "$\\Sigma$", "#FBE3B8", fontsize=24)
    return sum_xy


# --------------------------------------------------------------------------------------------
# The figures: one function each.
# --------------------------------------------------------------------------------------------


def draw_neuron_biological_vs_artificial() -> Figure:
    fig = new_figure(11.5, 3.6)
    bio, art = fig.subplots(1, 2)

    # Left: a schematic biological neuron.  Signals arrive at the dendrites (left), are combined
    # in the cell body and leave along the axon to the terminals (right).
    diagram_axes(bio, (0, 11), (0.5, 6.2), "Biological neuron")
    soma, soma_r = np.array([2.7, 3.2]), 0.75

    def dendrite(start: np.ndarray, angle: float, length: float, depth: int) -> None:
        # Each branch splits in two, shorter and thinner: the tree shape of real dendrites.
        end = start + length * np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        bio.plot(*zip(start, end, strict=True), color=ORANGE, lw=1.0 + 1.2 * depth, zorder=2)
        if depth > 0:
            for turn in (-28, 28):
                dendrite(end, angle + turn, 0.62 * length, depth - 1)

    for angle in (105, 145, 180, 215, 255):
        start = soma + soma_r * 0.9 * np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        dendrite(start, angle, 0.85, 2)

    axon_start, axon_end = soma + [soma_r, 0], np.array([8.7, 3.2])
    bio.plot(*zip(axon_start, axon_end, strict=True), color=ORANGE, lw=3, zorder=2)
    for x0 in np.arange(4.0, 8.2, 1.1):  # myelin sheath: insulating segments along the axon
        bio.add_patch(FancyBboxPatch((x0, 3.03), 0.85, 0.34, boxstyle="round,pad=0,rounding_size=0.15",
                                     facecolor="#FBE3B8", edgecolor=ORANGE, lw=1.2, zorder=3))
    for dy in (0.95, 0.35, -0.35, -0.95):  # axon terminals, each ending in a small knob
        tip = axon_end + [0.9 - 0.25 * abs(dy), dy]
        bio.plot(*zip(axon_end, tip, strict=True), color=ORANGE, lw=1.8, zorder=2)
        bio.add_patch(Circle(tip, 0.11, facecolor=ORANGE, edgecolor=ORANGE, zorder=3))

    # A synapse: the lowest terminal meets a dendrite of the next neuron across a narrow gap.  This
    # junction is what a weight stands for in the artificial neuron.
    knob = axon_end + [0.9 - 0.25 * 0.95, -0.95]
    start = knob + [0.36, 0.0]  # the next neuron's dendrite begins just past the knob: the gap
    fork = start + [0.5, -0.2]
    for branch in ([start, fork], [fork, fork + [0.45, 0.35]], [fork, fork + [0.5, -0.3]]):
        bio.plot(*zip(*branch, strict=True), color=SKY, lw=2.6, solid_capstyle="round", zorder=2)
    bio.plot([start[0], start[0]], [start[1] - 0.16, start[1] + 0.16], color=SKY, lw=3.5, zorder=2)
    bio.text(10.45, 2.55, "next\nneuron", ha="center", va="bottom", fontsize=10, color=GREY, linespacing=1.0)
    label_arrow(bio, "Synapse", (9.6, 0.95), (knob[0] + 0.23, knob[1] - 0.12))

    bio.add_patch(Circle(soma, soma_r, facecolor="#FBE3B8", edgecolor=ORANGE, lw=2, zorder=3))
    nucleus = Circle(soma + [0.1, 0.05], 0.3, facecolor=VERMILLION, edgecolor="none", alpha=0.8, zorder=4)
    bio.add_patch(nucleus)

    label_arrow(bio, "Dendrites", (0.9, 5.8), (1.6, 3.97))
    label_arrow(bio, "Nucleus", (4.3, 4.75), (2.9, 3.3))
    label_arrow(bio, "Cell body (soma)", (4.2, 0.85), (3.07, 2.55))
    label_arrow(bio, "Axon", (6.2, 4.4), (6.2, 3.4))
    label_arrow(bio, "Axon terminals", (9.4, 5.6), (9.45, 4.2))
    arrow(bio, (4.3, 1.9), (8.4, 1.9), color=GREY, lw=2)
    bio.text(6.35, 1.45, "signal direction", ha="center", va="center", fontsize=12, color=GREY)

    # Right: the artificial neuron computes y_hat = sigma(w . x + b).
    diagram_axes(art, (0, 11), (0.5, 6.2), "Artificial neuron")
    draw_artificial_neuron(art)
    art.text(1.0, 5.85, "inputs", ha="center", fontsize=12)
    node(art, (5.0, 5.55), 0.3, "$b$", "white", fontsize=13)
    arrow(art, (5.0, 5.25), (5.0, 3.95))
    art.text(5.45, 5.55, "bias", ha="left", va="center", fontsize=12)
    art.text(5.0, 1.95, "weighted sum", ha="center", fontsize=12)
    art.text(5.0, 1.35, "$z = \\mathbf{w} \\cdot \\mathbf{x} + b$", ha="center", fontsize=13)

    act_xy = (7.6, 3.2)
    arrow(art, (5.75, 3.2), (7.05, 3.2))
    art.text(6.4, 3.45, "$z$", ha="center", fontsize=13)
    box(art, act_xy, 1.1, "$\\sigma$", "#D5EFE6")
    art.text(7.6, 1.95, "activation", ha="center", fontsize=12)
    arrow(art, (8.15, 3.2), (9.5, 3.2))
    art.text(10.0, 3.2, "$\\hat{y}$", ha="center", va="center", fontsize=20)
    art.text(10.0, 2.45, "output", ha="center", fontsize=12)
    return fig


def draw_weights_and_bias() -> Figure:
    fig = new_figure(11.5, 4.6)
    net, curves = fig.subplots(1, 2, width_ratios=[1, 1.15])

    # Left: a weight is the strength of a connection.  Big |w| = thick arrow = that input
    # matters a lot; the sign says whether it pushes the sum up (positive) or down (negative).
    diagram_axes(net, (0, 8.2), (0.4, 6.0), "Weights: how strongly each input counts")
    sum_xy = draw_artificial_neuron(net, weights=[2.0, 0.3, -1.2])
    node(net, (5.0, 5.35), 0.3, "$b$", "white", fontsize=13)
    arrow(net, (5.0, 5.05), (5.0, 3.95))
    net.text(5.45, 5.35, "bias (an offset)", ha="left", va="center", fontsize=12)
    arrow(net, (5.75, 3.2), (7.0, 3.2))
    net.text(7.1, 3.2, "$z$", ha="left", va="center", fontsize=15)
    net.text(sum_xy[0] + 1.1, 1.8, "$z = w_1x_1 + w_2x_2 + w_3x_3 + b$", ha="center", fontsize=12)
    net.legend(
        handles=[Line2D([], [], color=BLUE, lw=3, label="positive weight"),
                 Line2D([], [], color=VERMILLION, lw=3, label="negative weight")],
        loc="lower center", bbox_to_anchor=(0.5, -0.04), ncols=2, frameon=False,
        title="thicker arrow = larger |w|",
    )

    # Right: for one input, sigma(w x + b) is centred at x = -b / w; w sets the steepness and
    # b slides the curve sideways.
    x = np.linspace(-6, 6, 400)
    settings = [  # (w, b, colour, line style): solid lines vary w, dashed lines vary b
        (1, 0, INK, "-"), (3, 0, BLUE, "-"), (0.5, 0, SKY, "-"),
        (1, 2, VERMILLION, "--"), (1, -2, ORANGE, "--"),
    ]
    for w, b, color, style in settings:
        label = f"w = {w:g}, b = {b:g}".replace("-", "−")  # a real minus sign, not a hyphen
        curves.plot(x, sigmoid(w * x + b), color=color, ls=style, label=label)
    curves.set_title("σ(wx + b): w sets the steepness, b shifts it")
    curves.set_xlabel("input x")
    curves.set_ylabel("output σ(wx + b)")
    curves.set_ylim(-0.05, 1.05)
    curves.text(-5.8, 0.98, "b > 0: shifted left\nb < 0: shifted right\n(centre at x = −b / w)", va="top")
    curves.legend(loc="lower right")
    return fig


def draw_xor() -> Figure:
    # The four inputs of a two-input logic gate.  A neuron outputs more than 0.5 exactly where
    # z = w1 x1 + w2 x2 + b > 0: on one side of a straight line.  AND and OR have such a line
    # (the neurons of the notebook: w1 = w2 = 10, b = -15 or -5); XOR has none.
    points = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    gates = [("AND", [0, 0, 0, 1], -15.0), ("OR", [0, 1, 1, 1], -5.0), ("XOR", [0, 1, 1, 0], None)]
    fig = new_figure(12, 5.0)
    x = np.linspace(-0.5, 1.5, 2)
    for ax, (name, target, b) in zip(fig.subplots(1, 3), gates, strict=True):
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        if b is not None:  # the line 10 x1 + 10 x2 + b = 0; the neuron outputs > 0.5 above it
            boundary = -b / 10 - x
            ax.fill_between(x, boundary, 1.5, color=ORANGE, alpha=0.18, lw=0)
            ax.plot(x, boundary, color=INK, lw=1.8)
            ax.set_title(f"{name}: one line separates\n($10x_1 + 10x_2 {b:+g} = 0$)", fontsize=12)
        else:
            # OR's line x1 + x2 = 0.5 and NAND's line x1 + x2 = 1.5: each alone leaves a point on the wrong
            # side, but together they bound the band that holds exactly the two inputs that should give 1.
            # Two neurons draw the two lines, and a third combines them (notebook 3 builds such a network).
            ax.fill_between(x, 0.5 - x, 1.5 - x, color=ORANGE, alpha=0.18, lw=0, hatch="//", edgecolor=ORANGE)
            for shift, name, side in ((0.5, "OR", -1), (1.5, "NAND", 1)):
                ax.plot(x, shift - x, color=GREY, lw=1.8, ls="--")
                mid = shift / 2 + 0.5 * side  # a point of the line away from the four inputs
                ax.text(mid + 0.12 * side, shift - mid + 0.12 * side, f"{name}'s line", rotation=-45,
                        ha="center", va="center", fontsize=11, color=INK)
            ax.set_title("XOR: no single line separates\n(each dashed line alone fails; two lines:\n"
                         "two neurons, and a third to combine them)",
                         fontsize=12)
        ones = np.array(target) == 1
        ax.plot(*points[ones].T, "o", color=VERMILLION, ms=14, zorder=5)
        ax.plot(*points[~ones].T, "o", mfc="white", mec=BLUE, mew=2.5, ms=14, zorder=5)
    fig.legend(handles=[Line2D([], [], color=VERMILLION, marker="o", ls="", ms=11, label="output should be 1"),
                        Line2D([], [], marker="o", mfc="white", mec=BLUE, mew=2.5, ls="", ms=11,
                               label="output should be 0"),
                        Line2D([], [], color=INK, lw=1.8, label="where z = 0 (shaded: output > 0.5)"),
                        Patch(facecolor=(*to_rgb(ORANGE), 0.18), hatch="//", edgecolor=ORANGE,
                              label="between the two dashed lines")],
               loc="outside lower center", ncols=4, frameon=False)
    return fig


def draw_network_layers() -> Figure:
    fig = new_figure(10, 4.5)
    ax = fig.subplots()
    diagram_axes(ax, (-0.8, 9.8), (-0.9, 4.0))

    # Every node of one layer feeds every node of the next ("fully connected").
    sizes, xs = [3, 4, 4, 1], [0.5, 3.5, 6.0, 9.0]
    faces = ["#DCEBF7", "#FBE3B8", "#FBE3B8", "#D5EFE6"]
    gap, r = 1.05, 0.32
    # Nodes listed top to bottom, so that x1 is the top input.
    layers = [[(x, 1.9 + gap * ((n - 1) / 2 - k)) for k in range(n)] for x, n in zip(xs, sizes, strict=True)]
    for left, right in zip(layers, layers[1:], strict=False):
        for a in left:
            for b in right:
                line = zip(edge(a, b, r), edge(b, a, r), strict=True)
                ax.plot(*line, color=GREY, lw=1.0, alpha=0.6, zorder=1)
    for i, layer in enumerate(layers):
        for k, xy in enumerate(layer):
            text = f"$x_{k + 1}$" if i == 0 else ("$\\hat{y}$" if i == len(layers) - 1 else "")
            node(ax, xy, r, text, faces[i], fontsize=14)

    ax.text(xs[0], -0.6, "Input layer", ha="center", fontsize=13)
    ax.text((xs[1] + xs[2]) / 2, -0.6, "Hidden layers", ha="center", fontsize=13)
    left, right = xs[1] - 0.4, xs[2] + 0.4  # a bracket: both hidden layers share one label
    ax.plot([left, left, right, right], [-0.1, -0.25, -0.25, -0.1], color=INK, lw=1.2)
    ax.text(xs[3], -0.6, "Output layer", ha="center", fontsize=13)
    fig.suptitle("A small fully connected neural network")
    return fig


def draw_logistic_regression_neuron() -> Figure:
    fig = new_figure(11, 4.8)
    ax = fig.subplots()
    diagram_axes(ax, (0.3, 14.2), (0.55, 6.0))

    # n inputs, drawn as x1, x2, a vertical ellipsis and xn.
    sum_xy, sum_r, in_r = (5.6, 3.1), 0.8, 0.45
    inputs = {"$x_1$": 5.1, "$x_2$": 3.8, "$x_n$": 1.1}
    for i, (text, y) in enumerate(inputs.items()):
        node(ax, (1.0, y), in_r, text, "#DCEBF7")
        start, end = edge((1.0, y), sum_xy, in_r), edge(sum_xy, (1.0, y), sum_r)
        arrow(ax, start, end)
        w = ["$w_1$", "$w_2$", "$w_n$"][i]
        ax.text(0.5 * (start[0] + end[0]), 0.5 * (start[1] + end[1]) + 0.32, w, ha="center", fontsize=13)
    ax.text(1.0, 2.45, "$\\vdots$", ha="center", va="center", fontsize=18)
    ax.text(1.0, 5.8, "features", ha="center", fontsize=12)

    node(ax, sum_xy, sum_r, "$\\Sigma$", "#FBE3B8", fontsize=24)
    node(ax, (sum_xy[0], 5.45), 0.3, "$b$", "white", fontsize=13)
    arrow(ax, (sum_xy[0], 5.15), (sum_xy[0], 3.9))
    ax.text(sum_xy[0], 1.7, "$z = \\mathbf{w} \\cdot \\mathbf{x} + b$", ha="center", fontsize=14)

    act_xy = (8.6, 3.1)
    arrow(ax, (6.4, 3.1), (8.0, 3.1))
    ax.text(7.2, 3.35, "$z$", ha="center", fontsize=14)
    box(ax, act_xy, 1.2, "$\\sigma$", "#D5EFE6", fontsize=22)
    ax.text(act_xy[0], 1.7, "$\\sigma(z) = \\dfrac{1}{1 + e^{-z}}$", ha="center", fontsize=14)
    arrow(ax, (9.2, 3.1), (10.9, 3.1))
    ax.text(11.1, 3.1, "$\\hat{y} = P(y = 1 \\mid \\mathbf{x})$", ha="left", va="center", fontsize=16)

    # A dashed frame around the part that *is* the neuron.
    ax.add_patch(FancyBboxPatch((4.5, 1.2), 5.4, 4.55, boxstyle="round,pad=0,rounding_size=0.3",
                                facecolor="none", edgecolor=GREY, lw=1.3, ls="--", zorder=0))
    ax.text(7.0, 5.45, "one neuron,\nsigmoid activation", ha="left", va="center", fontsize=12, color=INK,
            linespacing=1.1, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    fig.suptitle("Logistic regression is a single neuron")
    return fig


def draw_sigmoid() -> Figure:
    fig = new_figure(10, 5.2)
    ax = fig.subplots()
    z = np.linspace(-8, 8, 500)

    # The curve never reaches 0 or 1: those lines are asymptotes.
    for level in (0, 1):
        ax.axhline(level, color=GREY, ls="--", lw=1.2)
    ax.axhline(0.5, color=ORANGE, ls=":", lw=1.8, label="threshold 0.5")
    ax.axvline(0, color=GREY, lw=0.8)
    ax.plot(z, sigmoid(z), color=BLUE, lw=3, label="$\\sigma(z) = \\dfrac{1}{1 + e^{-z}}$")
    ax.plot(0, 0.5, "o", color=VERMILLION, ms=9, zorder=5)

    ax.annotate("σ(0) = 0.5", xy=(0, 0.5), xytext=(1.2, 0.36), fontsize=12,
                arrowprops={"arrowstyle": "->", "color": INK, "lw": 1})
    ax.text(4.6, 0.88, "large z → σ(z) ≈ 1", ha="center", va="top", fontsize=13)
    ax.text(-4.6, 0.12, "very negative z → σ(z) ≈ 0", ha="center", va="bottom", fontsize=13)
    ax.text(7.9, 1.02, "asymptote σ = 1", ha="right", va="bottom", fontsize=11, color=GREY)
    ax.text(-7.9, -0.02, "asymptote σ = 0", ha="left", va="top", fontsize=11, color=GREY)

    ax.set_xlim(-8, 8)
    ax.set_ylim(-0.1, 1.1)
    ax.set_xlabel("z")
    ax.set_ylabel("σ(z)")
    ax.set_title("The sigmoid function squashes any number into (0, 1)")
    ax.legend(loc="upper left", fontsize=13, framealpha=1)
    return fig


def convexity_data() -> tuple[np.ndarray, np.ndarray]:
    """The five points of the convexity figure: one feature x and a label y for each."""
    return np.array([-3.0, -2.0, -1.5, -1.0, 4.0]), np.array([1.0, 0.0, 1.0, 0.0, 1.0])


def draw_convex_vs_nonconvex() -> Figure:
    # A real computation on one small data set, for the model y_hat = sigma(w x + b) with both of its
    # parameters: each panel is a map of the cost over the (w, b) plane.  The white paths are plain
    # gradient descent (2000 steps of size alpha = 1) from the same three starting points on both maps.
    # Squared error has two true minima here (gradient 0, curving up in every direction: checked in the
    # notebook) and flat plateaus where the sigmoid saturates; the cross-entropy has a single minimum.
    x, y = convexity_data()
    w_grid, b_grid = np.meshgrid(np.linspace(-4, 3, 281), np.linspace(-6, 6, 481))
    z = w_grid[..., None] * x + b_grid[..., None]  # (b, w, example)
    # log(sigma(z)) = -log(1 + e^-z) and log(1 - sigma(z)) = -log(1 + e^z): logaddexp gives both without
    # overflow or log(0).
    cross_entropy = (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)).mean(axis=-1)
    squared_error = ((sigmoid(z) - y) ** 2).mean(axis=-1)

    def descend(start: tuple[float, float], squared: bool, steps: int = 2000) -> np.ndarray:
        path = [np.array(start)]
        for _ in range(steps):
            w, b = path[-1]
            p = sigmoid(w * x + b)
            dz = 2 * (p - y) * p * (1 - p) if squared else p - y  # dL/dz of each example
            path.append(path[-1] - 1.0 * np.array([np.mean(dz * x), np.mean(dz)]))
        return np.array(path)

    starts = [(-3.0, -5.0), (2.5, 4.5), (2.5, -5.5)]
    fig = new_figure(12, 5.6)
    left, right = fig.subplots(1, 2)
    panels = [(left, cross_entropy, np.linspace(0.6, 3.0, 13), False),
              (right, squared_error, np.linspace(0.2, 0.6, 17), True)]
    for ax, cost, levels, squared in panels:
        filled = ax.contourf(w_grid, b_grid, cost, levels=levels, cmap="viridis", extend="max")
        ax.contour(w_grid, b_grid, cost, levels=levels, colors="white", linewidths=0.4, alpha=0.5)
        fig.colorbar(filled, ax=ax, label="cost J(w, b)", ticks=levels[::4])
        for start in starts:
            path = descend(start, squared)
            ax.plot(path[:, 0], path[:, 1], color="white", lw=2)
            ax.plot(*start, "o", color="white", mec=INK, ms=8, zorder=5)
        ax.set_xlabel("weight w")
        ax.set_ylabel("bias b")
        ax.grid(False)

    def mark(ax: Axes, xy: tuple[float, float], face: str, text: str, text_xy: tuple[float, float]) -> None:
        ax.plot(*xy, "*", color=face, mec=INK, ms=20, zorder=6)
        ax.annotate(text, xy=xy, xytext=text_xy, ha="center", va="center", fontsize=11.5, zorder=7,
                    bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
                    arrowprops={"arrowstyle": "->", "color": "white", "lw": 1.5, "shrinkB": 9})

    mark(left, (0.266, 0.653), GREEN, "the only minimum:\nevery path ends here", (-1.9, 3.4))
    mark(right, (0.195, 0.522), GREEN, "global minimum\n(J = 0.23)", (1.85, -0.75))
    mark(right, (-1.264, -2.391), ORANGE, "local minimum (J = 0.35):\nthe path from the lower\nleft stops here",
         (-2.3, 0.2))
    right.annotate("plateau: after 2000 steps\nthis path has barely moved", xy=(2.6, -5.35), xytext=(1.3, -3.3),
                   ha="center", va="center", fontsize=11.5, zorder=7,
                   bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
                   arrowprops={"arrowstyle": "->", "color": "white", "lw": 1.5, "shrinkB": 6})
    left.set_title("Cross-entropy cost: convex")
    right.set_title("Squared error with a sigmoid: not convex")
    fig.legend(handles=[Line2D([], [], color="white", marker="o", mec=INK, ms=8, ls="", label="start"),
                        Line2D([], [], color=GREY, lw=2, label="gradient descent, 2000 steps (α = 1)"),
                        Line2D([], [], color=GREEN, marker="*", mec=INK, ms=15, ls="", label="global minimum"),
                        Line2D([], [], color=ORANGE, marker="*", mec=INK, ms=15, ls="", label="local minimum")],
               loc="outside lower center", ncols=4, frameon=False)
    fig.suptitle("Same 5 data points, same model ŷ = σ(wx + b), two cost functions, mapped over both parameters",
                 fontsize=13)
    return fig


def draw_gradient_descent() -> Figure:
    # A simple convex cost, J(w) = (w - 1)^2 + 0.5, so the gradient is easy to read: 2 (w - 1).
    # Each step multiplies the distance to the minimum by (1 - 2 alpha): it shrinks for alpha < 1,
    # flips sides for alpha > 0.5, and grows for alpha > 1.
    def cost(w: np.ndarray | float) -> np.ndarray | float:
        return (w - 1) ** 2 + 0.5

    def descend(start: float, alpha: float, steps: int) -> np.ndarray:
        ws = [start]
        for _ in range(steps):
            ws.append(ws[-1] - alpha * 2 * (ws[-1] - 1))
        return np.array(ws)

    fig = new_figure(12, 5.2)
    good, bad = fig.subplots(1, 2, width_ratios=[1.25, 1])
    # (axes, start, steps, range of w, arc of the arrows): downhill steps hop over the curve (an arc)
    # so that they stay visible; overshooting steps are chords across the valley, above the curve.
    runs = [(good, descend(-3.5, 0.15, 8), np.linspace(-4.2, 4.5, 400), -0.35),
            (bad, descend(0.3, 1.1, 6), np.linspace(-1.8, 3.8, 400), 0.0)]
    for ax, ws, w, arc in runs:
        ax.plot(w, cost(w), color=BLUE)
        for a, b in zip(ws, ws[1:], strict=False):  # one arrow per update
            ax.annotate("", xy=(b, cost(b)), xytext=(a, cost(a)), zorder=4,
                        arrowprops={"arrowstyle": "-|>", "color": VERMILLION, "lw": 1.6, "mutation_scale": 13,
                                    "connectionstyle": f"arc3,rad={arc}", "shrinkA": 4, "shrinkB": 4})
        ax.plot(ws, cost(ws), "o", color=VERMILLION, ms=7, zorder=5)
        ax.plot(1, cost(1), "*", color=GREEN, ms=18, zorder=6)
        # Step labels sit level with each point, outside the bowl, where the curve leaves empty space.
        for k in range(3):
            side = -1 if ws[k] < 1 else 1
            ax.text(ws[k] + 0.2 * side, cost(ws[k]), f"$w_{k}$", ha="right" if side < 0 else "left",
                    va="center", fontsize=13)
        ax.set_xlabel("weight w")
        ax.set_ylabel("cost J(w)")

    # The step is alpha times the slope: big where the curve is steep, tiny near the bottom.
    ws = runs[0][1]
    good.text(ws[0] + 0.35, cost(ws[0]) + 0.5, "steep slope → big step", fontsize=12)
    good.annotate("gentle slope → small steps", xy=(ws[-2] + 0.05, cost(ws[-2]) + 0.3), xytext=(0.7, 8.5),
                  ha="center", fontsize=12, arrowprops={"arrowstyle": "->", "color": INK, "lw": 1})
    good.set_title("α = 0.15: steps downhill, shrinking near the minimum", fontsize=13)
    bad.text(1.0, 6.6, "each step jumps across the valley\nand lands higher than the last:\nthe cost grows",
             ha="center", va="top", fontsize=12)
    bad.set_ylim(-0.3, 7.2)
    bad.set_title("α = 1.1, too large: the steps overshoot", fontsize=13)
    fig.legend(handles=[Line2D([], [], color=BLUE, label="cost J(w)"),
                        Line2D([], [], color=VERMILLION, marker="o", ls="", label="gradient descent steps"),
                        Line2D([], [], color=GREEN, marker="*", ms=14, ls="", label="minimum")],
               loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle("Gradient descent, $w \\leftarrow w - \\alpha \\, \\partial J / \\partial w$: "
                 "the learning rate α sets the step size")
    return fig


def draw_why_nonlinear() -> Figure:
    fig = new_figure(12.5, 4.6)
    chain, bend = fig.subfigures(1, 2, width_ratios=[1.55, 1], wspace=0.03)
    x = np.linspace(-3, 3, 300)

    # Left: composing two linear layers gives g(f(x)) = -0.5 (2x + 1) + 3 = -x + 2.5, another straight
    # line.  Depth alone adds nothing without a non-linearity.  Each layer is drawn against its own
    # input: layer 2 reads u = f(x), which runs from -5 to 7 while x runs from -3 to 3.
    def f(x: np.ndarray) -> np.ndarray:
        return 2 * x + 1

    def g(u: np.ndarray) -> np.ndarray:
        return -0.5 * u + 3

    u = f(x)
    layer1, layer2, both = chain.subplots(1, 3, sharey=True)
    layer1.plot(x, u, color=SKY, lw=2.6)
    layer1.set_title("layer 1\nu = f(x) = 2x + 1", fontsize=12)
    layer1.set_xlabel("input x")
    layer1.set_ylabel("output")
    layer2.plot(u, g(u), color=ORANGE, lw=2.6)
    layer2.set_title("layer 2\ng(u) = −0.5u + 3", fontsize=12)
    layer2.set_xlabel("input u = f(x)")
    both.plot(x, g(u), color=BLUE, lw=3)
    both.set_title("both layers\ng(f(x)) = −x + 2.5", fontsize=12)
    both.set_xlabel("input x")
    for ax in (layer1, layer2, both):
        zero_lines(ax)
        ax.set_ylim(-6, 8)
    chain.suptitle("Two linear layers = one linear layer\n(each drawn against its own input)", fontsize=13)

    # Right: a weighted sum of shifted ReLUs is piecewise linear, and it can bend.
    right = bend.subplots()
    parts = [(1.0, -2.0), (-2.0, 0.0), (1.5, 1.5)]  # (scale, kink position)
    total = np.zeros_like(x)
    for (scale, kink), color in zip(parts, [SKY, ORANGE, PURPLE], strict=True):
        piece = scale * relu(x - kink)
        total += piece
        sign = "+" if kink < 0 else "−"
        shift = "x" if kink == 0 else f"x {sign} {abs(kink):g}"
        label = f"{scale:g} · ReLU({shift})".replace("-", "−")
        right.plot(x, piece, color=color, ls="--", lw=1.6, label=label)
    right.plot(x, total, color=BLUE, lw=3, label="sum of the three")
    right.legend(loc="upper left")
    right.set_ylim(-6, 10.5)
    zero_lines(right)
    right.set_xlabel("input x")
    right.set_ylabel("output")
    bend.suptitle("With a non-linearity in between,\nlayers can bend the function", fontsize=13)
    return fig


def draw_activation_gallery() -> Figure:
    fig = new_figure(12, 6.2)
    axes = fig.subplots(2, 4)
    z = np.linspace(-5, 5, 1001)
    for ax, (title, fn, deriv) in zip(axes.flat, activations(), strict=True):
        zero_lines(ax)
        ax.plot(z, fn(z), color=BLUE, lw=2.4)
        ax.plot(z, deriv(z), color=VERMILLION, ls="--", lw=2)
        ax.set_title(title, fontsize=12)
        ax.set_xlim(-5, 5)
        ax.set_xlabel("$z_1$" if title.startswith("Softmax") else "z", labelpad=1)
    # Softmax is not element-wise: its panel shows one output against one score, so name the curves.
    axes[1, 3].text(-4.6, 0.9, "$s_1$", color=BLUE, fontsize=13)
    axes[1, 3].text(2.2, 0.33, "$\\partial s_1 / \\partial z_1$", color=VERMILLION, fontsize=13)
    fig.legend(
        handles=[Line2D([], [], color=BLUE, lw=2.4, label="function"),
                 Line2D([], [], color=VERMILLION, ls="--", lw=2, label="derivative")],
        loc="outside lower center", ncols=2, frameon=False, fontsize=12,
    )
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
    return fig


# --------------------------------------------------------------------------------------------
# Writing, copying and checking.
# --------------------------------------------------------------------------------------------


def save(fig: Figure, path: Path) -> None:
    # metadata={"Software": None} drops the matplotlib version tag; Agg writes no timestamp,
    # so the same code and matplotlib give the same bytes every time.
    fig.savefig(path, dpi=DPI, metadata={"Software": None})


def solution_copies(name: str, assignments: tuple[str, ...]) -> list[Path]:
    return [SOLUTIONS / assignment / "assets" / name for assignment in assignments]


def draw(names: list[str]) -> None:
    table = figure_table()
    for name in names:
        function, assignments = table[name]
        with rc_context(STYLE):
            fig = function()
        source = ASSETS / name
        save(fig, source)
        print(f"wrote {source.relative_to(ROOT)} ({source.stat().st_size // 1024} KB)")
        for copy in solution_copies(name, assignments):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            print(f"  copied to {copy.relative_to(ROOT)}")


def check(names: list[str]) -> list[str]:
    """Problems with the solutions copies: one line per copy that is missing or differs."""
    table = figure_table()
    problems = []
    for name in names:
        source = ASSETS / name
        if not source.exists():
            problems.append(f"missing: {source.relative_to(ROOT)}")
            continue
        for copy in solution_copies(name, table[name][1]):
            if not copy.exists():
                problems.append(f"missing: {copy.relative_to(ROOT)}")
            elif copy.read_bytes() != source.read_bytes():
                problems.append(f"differs from assets/{name}: {copy.relative_to(ROOT)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    table = figure_table()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to draw (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare the solutions copies with assets/")
    args = parser.parse_args(argv)

    names = [n if n.endswith(".png") else f"{n}.png" for n in args.names] or list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)}")

    if args.check:
        problems = check(names)
        for line in problems:
            print(line)
        print("solutions copies are up to date" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    draw(names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
