"""What every lab shares: the run context (seed, output folder, numbers, figures, conclusion), the result
record and a small training loop. The data (``chainrule.data.datasets.digits_split``), the MLP and the
plotting policy (``chainrule.plotting``: the labs draw in ``plotting.LAB_STYLE``) live with the library.

A lab is a function ``run(ctx)``: it measures, calls ``ctx.record(name=value, ...)`` for every number it
will quote, ``ctx.figure(fig, "file.png", "caption")`` for every figure, and ends with
``ctx.conclude("... quoting the numbers ...")``. The context writes ``numbers.json`` and the PNGs into the
lab's folder; the same seed gives the same numbers (all randomness flows from ``ctx.seed``).
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

import chainrule as cr

from .. import plotting

MODES = ("quick", "fast", "full")  # quick: the test suite's size; fast: the default; full: --full


@dataclass
class Figure:
    path: str  # relative to the lab's folder
    caption: str


@dataclass
class LabResult:
    """What one lab run produced: the numbers it measured, its figures, its conclusion."""

    name: str
    title: str
    claim: str
    seed: int
    mode: str
    numbers: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    conclusion: str = ""
    seconds: float = 0.0
    out_dir: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _plain(value):
    """NumPy scalars/arrays and tensors → plain JSON values; non-finite floats → None (JSON has no NaN)."""
    if isinstance(value, cr.Tensor):
        value = value.detach().numpy()
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value.item())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


class LabContext:
    """Seed, mode and output folder of one lab run; collects numbers, figures and the conclusion."""

    def __init__(self, name: str, out_dir, seed: int = 0, mode: str = "fast", save: bool = True):
        if mode not in MODES:
            raise ValueError(f"lab {name}: mode must be one of {MODES}, got {mode!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"lab {name}: seed must be a non-negative integer, got {seed!r}")
        self.name, self.seed, self.mode, self.save = name, int(seed), mode, save
        self.out_dir = Path(out_dir)
        self.numbers: dict = {}
        self.figures: list[Figure] = []
        self.conclusion = ""
        if save:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self.reseed(0)

    @property
    def full(self) -> bool:
        return self.mode == "full"

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    def size(self, quick, fast, full):
        """Pick a size by mode: ``ctx.size(quick=2, fast=5, full=30)``."""
        return {"quick": quick, "fast": fast, "full": full}[self.mode]

    def reseed(self, offset: int = 0) -> np.random.Generator:
        """Reset chainrule's global RNG to ``seed + offset`` and return a NumPy generator with that seed.

        Calling it before each arm of a comparison gives every arm the same starting weights and batches,
        so the difference measured is the one the arm changes (activation, optimiser, init...).
        """
        cr.manual_seed(self.seed * 1000 + offset)
        return np.random.default_rng(self.seed * 1000 + offset)

    def record(self, **numbers):
        for k, v in numbers.items():
            self.numbers[k] = _plain(v)

    def figure(self, fig, filename: str, caption: str):
        """Save a matplotlib figure as PNG in the lab's folder (and close it)."""
        if self.save:
            # a constrained layout already fits the canvas; "tight" would draw the whole figure twice
            tight = None if fig.get_layout_engine() is not None else "tight"
            plotting.save(fig, self.out_dir / filename, dpi=90, bbox_inches=tight)
        plotting.close(fig)
        self.figures.append(Figure(filename, caption))

    def conclude(self, text: str):
        self.conclusion = " ".join(text.split())


def _one_blas_thread():
    """The labs' matrices are small: BLAS threads only contend (about 2x slower on 2 cores), so use one."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run_lab(lab, out_dir, seed: int = 0, mode: str = "fast", save: bool = True, echo=print) -> LabResult:
    """Run one lab (a registry entry), write its PNGs and ``numbers.json``, return the result."""
    ctx = LabContext(lab.name, out_dir, seed=seed, mode=mode, save=save)
    old_dtype = cr.get_default_dtype()
    t0 = time.perf_counter()
    try:
        cr.set_default_dtype(cr.float32)
        # the labs' look for their figures, built and saved inside: the caller's rcParams come back after
        with _one_blas_thread(), plotting.style(plotting.LAB_STYLE):
            lab.run(ctx)
    finally:
        cr.set_default_dtype(old_dtype)
    result = LabResult(lab.name, lab.title, lab.claim, ctx.seed, mode, ctx.numbers, ctx.figures,
                       ctx.conclusion, round(time.perf_counter() - t0, 2), str(ctx.out_dir))
    if save:
        tmp = ctx.out_dir / "numbers.json.tmp"
        tmp.write_text(json.dumps(result.to_json(), indent=1, sort_keys=False) + "\n")
        os.replace(tmp, ctx.out_dir / "numbers.json")
    if echo:
        echo(f"[{lab.name}] {result.conclusion}")
    return result


# --- training ------------------------------------------------------------------------------------------


def batches(n: int, batch_size: int, rng: np.random.Generator):
    """Index arrays of a shuffled pass over ``n`` samples."""
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def train_epoch(model, loss_fn, optimizer, X, y, batch_size, rng, transform=None, on_step=None) -> float:
    """One shuffled pass of minibatch training; returns the mean training loss over the batches.

    ``transform(xb, rng)`` (optional) changes each batch before the step (augmentation);
    ``on_step(step_loss)`` is called after every step (for per-step curves and dead-unit counts).
    """
    model.train()
    total, count = 0.0, 0
    for idx in batches(len(X), batch_size, rng):
        xb = X[idx] if transform is None else transform(X[idx], rng)
        out = model(cr.from_numpy(np.ascontiguousarray(xb)))
        loss = loss_fn(out, cr.from_numpy(y[idx]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        value = loss.item()
        total, count = total + value * len(idx), count + len(idx)
        if on_step is not None:
            on_step(value)
    return total / count


def evaluate(model, loss_fn, X, y):
    """(mean loss, accuracy) of a classifier on arrays, in eval mode and without building a graph."""
    model.eval()
    with cr.no_grad():
        out = model(cr.from_numpy(np.ascontiguousarray(X)))
        loss = loss_fn(out, cr.from_numpy(y)).item()
        acc = float((out.numpy().argmax(1) == y).mean())
    model.train()
    return loss, acc


def first_reaching(values, target):
    """1-based index of the first value ≤ target, or None if none does."""
    for i, v in enumerate(values):
        if v <= target:
            return i + 1
    return None


def fmt(x, digits=3):
    """A number for a conclusion sentence: 3 significant digits, or 'n/a'."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{x:.{digits}g}"


def fit_full_batch(model, loss_fn, optimizer, X, y, steps: int) -> list[float]:
    """``steps`` gradient steps on the whole (small) data set; returns the loss before each step."""
    xt, yt = cr.from_numpy(np.ascontiguousarray(X)), cr.from_numpy(np.ascontiguousarray(y))
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(xt), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def predict(model, X) -> np.ndarray:
    """The model's output on arrays, as an array (eval mode, no graph)."""
    model.eval()
    with cr.no_grad():
        out = model(cr.from_numpy(np.ascontiguousarray(X))).numpy()
    model.train()
    return np.asarray(out)


def draw_boundary(ax, score, X, y, lim, title, levels=(0.0,)):
    """Shade ``score(grid points (n, 2)) → (n,)`` (positive = class 1) over [−lim, lim]², draw the
    decision boundary at 0 and the points coloured by class."""
    g = np.linspace(-lim, lim, 121, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    s = score(np.stack([gx.ravel(), gy.ravel()], 1)).reshape(gx.shape)
    ax.contourf(gx, gy, np.clip(s, -6, 6), levels=24, cmap="RdBu_r", alpha=0.55, vmin=-6, vmax=6)
    if s.min() < 0 < s.max():
        ax.contour(gx, gy, s, levels=list(levels), colors="k", linewidths=1.2)
    ax.scatter(X[:, 0], X[:, 1], c=np.where(y > 0, "tab:red", "tab:blue"), s=8, edgecolors="white",
               linewidths=0.3)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), title=title, aspect="equal")
    ax.grid(False)
