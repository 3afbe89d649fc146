"""What every lab shares: the run context (mode, seeds, output folder, numbers, claims, figures, conclusion),
the result record and a small training loop. The data (``chainrule.data.datasets.digits_split``), the MLP and
the plotting policy (``chainrule.plotting``: the labs draw in ``plotting.LAB_STYLE``) live with the library.

A lab is a function ``run(ctx)``. It measures each arm once per seed with ``ctx.map(trial_fn, configs)``
(``_seeds``: the trials run here in live mode, on the sweep executor in full mode), reduces the per-seed
numbers to ``Stat``s (mean ± spread), calls ``ctx.claim(...)`` once per lecture claim it tests (the slide,
the textbook answer, what was measured, the verdict), ``ctx.record(...)`` for every other number it
quotes, ``ctx.figure(fig, "file.png", "caption")`` for every figure, and ends with ``ctx.conclude(...)``.

Modes: ``live`` (the default: 3 seeds, each lab ≤ 10 s, for the lecture hall) and ``full`` (5 seeds, on
the sweep executor when it is installed). A seed's trial is the same experiment in both modes, so the live
run's numbers are the full run's first three seeds.
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
from ..nn import activation_registry
from ..train.replay import ReplayedStep, replayable
from ._seeds import _rng_state, _set_rng_state, map_seeds
from ._stats import VERDICTS, Stat
from .slides import slide

MODES = ("live", "full")
ALIASES = {"quick": "live", "fast": "live"}  # the modes' names before issue 19
SEEDS = {"live": 3, "full": 5}


@dataclass
class Figure:
    path: str  # relative to the lab's folder
    caption: str
    png: bytes | None = field(default=None, repr=False, compare=False)  # the image, kept for notebooks

    def data(self, out_dir) -> bytes | None:
        """The PNG: as drawn in this process, else the file in ``out_dir`` (None if neither exists)."""
        if self.png is not None:
            return self.png
        path = Path(out_dir) / self.path
        return path.read_bytes() if path.exists() else None


@dataclass
class LabResult:
    """What one lab run produced: its claims, the numbers it measured, its figures, its conclusion."""

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
    seeds: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    cpu_seconds: float = 0.0

    def to_json(self) -> dict:
        out = asdict(self)
        for f in out["figures"]:
            f.pop("png", None)
        return out

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{c['key']}: {c['verdict']}" for c in self.claims)
        return (f"<LabResult {self.name}: {len(self.seeds)} seeds ({self.mode}), {verdicts or 'no claims'}; "
                f"{len(self.figures)} figure{'s' * (len(self.figures) != 1)}, {self.seconds:.1f} s>")

    def _repr_html_(self) -> str:
        """Jupyter's view: each claim (slide, textbook answer, mean ± spread, verdict), the conclusion, the figures
        inline as PNG data, the numbers folded away."""
        from .report import notebook_html

        return notebook_html(self)


def _plain(value):
    """NumPy scalars/arrays and tensors → plain JSON values; non-finite floats → None (JSON has no NaN)."""
    if isinstance(value, cr.Tensor):
        value = value.detach().numpy()
    if isinstance(value, Stat):
        return value.to_json()
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
    """Mode, seeds and output folder of one lab run; collects numbers, claims, figures and the conclusion."""

    def __init__(self, name: str, out_dir, seed: int = 0, mode: str = "live", save: bool = True,
                 seeds: int | None = None, executor=None):
        mode = ALIASES.get(mode, mode)
        if mode not in MODES:
            raise ValueError(f"lab {name}: mode must be one of {MODES}, got {mode!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"lab {name}: seed must be a non-negative integer, got {seed!r}")
        count = SEEDS[mode] if seeds is None else seeds
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(f"lab {name}: seeds must be a positive integer, got {seeds!r}")
        self.name, self.seed, self.mode, self.save = name, int(seed), mode, save
        self.seeds = list(range(self.seed, self.seed + int(count)))
        self.executor = executor
        self.out_dir = Path(out_dir)
        self.numbers: dict = {}
        self.claims: list[dict] = []
        self.figures: list[Figure] = []
        self.conclusion = ""
        if save:
            self.out_dir.mkdir(parents=True, exist_ok=True)

    @property
    def full(self) -> bool:
        return self.mode == "full"

    @property
    def n_seeds(self) -> str:
        return f"{len(self.seeds)} seed{'s' * (len(self.seeds) != 1)}"

    def map(self, fn, configs) -> list[list[dict]]:
        """Run the trial ``fn`` for every config and every seed: ``out[i][k]`` is config i at seed k."""
        return map_seeds(fn, configs, self.seeds, self.executor)

    def record(self, **numbers):
        for k, v in numbers.items():
            self.numbers[k] = _plain(v)

    def claim(self, key: str, *, textbook: str, measured: str, verdict: str, stats=None, drift: bool = True):
        """One lecture claim this lab tests: the slide ``key`` (``labs.slides``), the textbook answer, what was
        measured (with mean ± spread), the verdict (``_stats.VERDICTS``) and the per-seed ``stats`` behind it
        ({name: Stat}). ``drift=False``: numbers that vary from run to run (timings), left out of the docs'
        drift test."""
        if verdict not in VERDICTS:
            raise ValueError(f"lab {self.name}: verdict must be one of {VERDICTS}, got {verdict!r}")
        self.claims.append({"key": key, "slide": slide(key).to_json(), "textbook": " ".join(textbook.split()),
                            "measured": " ".join(measured.split()), "verdict": verdict,
                            "stats": _plain(stats or {}), "drift": bool(drift)})

    def figure(self, fig, filename: str, caption: str):
        """Draw a matplotlib figure as PNG (kept with the result; saved in the lab's folder) and close it."""
        import io

        # a constrained layout already fits the canvas; "tight" would draw the whole figure twice
        tight = None if fig.get_layout_engine() is not None else "tight"
        buf = io.BytesIO()
        plotting.save(fig, buf, dpi=80, bbox_inches=tight, format="png")
        plotting.close(fig)
        png = buf.getvalue()
        if self.save:
            (self.out_dir / filename).write_bytes(png)
        self.figures.append(Figure(filename, caption, png))

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


def run_lab(lab, out_dir, seed: int = 0, mode: str = "live", save: bool = True, echo=print, seeds=None,
            executor=None) -> LabResult:
    """Run one lab (a registry entry), write its PNGs and ``numbers.json``, return the result."""
    ctx = LabContext(lab.name, out_dir, seed=seed, mode=mode, save=save, seeds=seeds, executor=executor)
    old_dtype, state = cr.get_default_dtype(), _rng_state()
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        cr.set_default_dtype(cr.float32)
        # the labs' look for their figures, built and saved inside: the caller's rcParams come back after
        with _one_blas_thread(), plotting.style(plotting.LAB_STYLE):
            lab.run(ctx)
    finally:
        cr.set_default_dtype(old_dtype)
        _set_rng_state(state)
    result = LabResult(lab.name, lab.title, lab.claim, ctx.seed, ctx.mode, ctx.numbers, ctx.figures,
                       ctx.conclusion, round(time.perf_counter() - t0, 2), str(ctx.out_dir), ctx.seeds, ctx.claims,
                       round(time.process_time() - c0, 2))
    if save:
        tmp = ctx.out_dir / "numbers.json.tmp"
        tmp.write_text(json.dumps(result.to_json(), indent=1, sort_keys=False) + "\n")
        os.replace(tmp, ctx.out_dir / "numbers.json")
    if echo:
        echo(f"[{lab.name}] {result.conclusion}")
    return result


def label(name: str) -> str:
    """How the labs print an activation: its module's class name in ``nn.activation_registry`` (ReLU, Tanh...)."""
    return activation_registry.get(name).module.__name__


def is_activation(m, *names) -> bool:
    """Is module ``m`` an activation (one of ``names``, registry names, if given)?"""
    entry = activation_registry.of_module(m)
    return entry is not None and (not names or entry.name in names)


# --- training ------------------------------------------------------------------------------------------

REPLAY = True  # the helpers replay their captured step where it applies; False: every step eager


def replayed_step(model, loss_fn, optimizer, scheduler=None) -> ReplayedStep:
    """A lab loop's training step, ``step(x, y) -> (output, loss)``: captured once and replayed (fit's
    ``train/replay.py``: the eager step's numbers bit for bit, so the labs' claims do not move) when the model,
    loss and optimizer are chainrule's own and no scheduler changes the learning rate every step (each change
    would capture the optimizer step again); eager otherwise. Batches of another size run eagerly."""
    use = REPLAY and scheduler is None and replayable(model, loss_fn, optimizer)
    return ReplayedStep(model, loss_fn, optimizer, disabled=not use)



def batches(n: int, batch_size: int, rng: np.random.Generator):
    """Index arrays of a shuffled pass over ``n`` samples."""
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def train_epoch(model, loss_fn, optimizer, X, y, batch_size, rng, transform=None, on_step=None, step=None) -> float:
    """One shuffled pass of minibatch training; returns the mean training loss over the batches.

    ``transform(xb, rng)`` (optional) changes each batch before the step (augmentation);
    ``on_step(step_loss)`` is called after every step (for per-step curves and dead-unit counts);
    ``step``: the ``replayed_step`` of these model, loss and optimizer, to keep its capture from one epoch to the
    next (by default a new one for this pass).
    """
    model.train()
    step = step or replayed_step(model, loss_fn, optimizer)
    total, count = 0.0, 0
    for idx in batches(len(X), batch_size, rng):
        xb = X[idx] if transform is None else transform(X[idx], rng)
        _, loss = step(cr.from_numpy(np.ascontiguousarray(xb)), cr.from_numpy(y[idx]))
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
    step = replayed_step(model, loss_fn, optimizer)
    losses = []
    for _ in range(steps):
        _, loss = step(xt, yt)
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
    """Shade a classifier's score (positive = class 1) over [−lim, lim]², draw the decision boundary at 0 and
    the points coloured by class. ``score``: a function of grid points (n, 2) → (n,), or the scores already
    computed on an m × m grid over [−lim, lim]² (a trial's result)."""
    if callable(score):
        g = np.linspace(-lim, lim, 121, dtype=np.float32)
        gx, gy = np.meshgrid(g, g)
        s = score(np.stack([gx.ravel(), gy.ravel()], 1)).reshape(gx.shape)
    else:
        s = np.asarray(score, dtype=float)
        g = np.linspace(-lim, lim, s.shape[0])
        gx, gy = np.meshgrid(g, g)
    ax.contourf(gx, gy, np.clip(s, -6, 6), levels=12, cmap="RdBu_r", alpha=0.55, vmin=-6, vmax=6)
    if s.min() < 0 < s.max():
        ax.contour(gx, gy, s, levels=list(levels), colors="k", linewidths=1.2)
    ax.scatter(X[:, 0], X[:, 1], c=np.where(y > 0, "tab:red", "tab:blue"), s=8, edgecolors="white",
               linewidths=0.3)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), title=title, aspect="equal")
    ax.grid(False)


def error_rate(model, X, y) -> float:
    """Classification error of ``model`` on arrays (eval mode, no graph)."""
    return 1.0 - evaluate_accuracy(model, X, y)


def evaluate_accuracy(model, X, y) -> float:
    return float((predict(model, X).argmax(1) == y).mean())


def train_tracked(model, optimizer, X, y, steps: int, batch: int, rng, every: int = 5, scheduler=None,
                  on_step=None):
    """``steps`` minibatch steps of cross-entropy training (shuffled passes over X); every ``every`` steps the
    error on the whole training set is recorded (``every=0``: only at the end). Returns {"steps": [...],
    "train_error": [...], "loss": per-step losses}; stops early (None in the curve) if the loss is not finite.
    ``on_step(step)`` is called after every step."""
    from chainrule import nn

    loss_fn = nn.CrossEntropyLoss()
    out = {"steps": [0], "train_error": [error_rate(model, X, y) if every else None], "loss": []}
    step, order = 0, []
    train_step = replayed_step(model, loss_fn, optimizer, scheduler)
    model.train()
    while step < steps:
        if not len(order):
            order = list(batches(len(X), batch, rng))
        idx = order.pop(0)
        _, loss = train_step(cr.from_numpy(X[idx]), cr.from_numpy(y[idx]))
        if scheduler is not None:
            scheduler.step()
        value = loss.item()
        out["loss"].append(value)
        step += 1
        if not math.isfinite(value):
            out["steps"].append(step)
            out["train_error"].append(None)
            break
        if on_step is not None:
            on_step(step)
        if (every and step % every == 0) or (not every and step == steps):
            out["steps"].append(step)
            out["train_error"].append(error_rate(model, X, y))
            model.train()
    return out
