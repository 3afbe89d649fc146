"""``diagnose``: the doctor's statistics, a few probe steps of the optimizer and the findings, as a ``Report``.

Every probe is undone: parameters, buffers, the optimizer's state, ``.grad`` and the default generator are
left as they were.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

import chainrule as cr

from .findings import find_problems, format_report
from .inputs import input_scales
from .lr_range import lr_range_test
from .modes import eval_mode_modules
from .stats import _param_dtype, _to_tensor, layer_stats, restore, snapshot


@dataclass
class Report:
    """What ``diagnose`` found: per-layer statistics, the loss, and findings (worst first)."""

    layers: list
    loss: float
    expected_loss: float | None  # ln C for C balanced classes under cross-entropy, else None
    probe_losses: list = field(default_factory=list)  # loss over a few optimizer steps (then undone)
    findings: list = field(default_factory=list)
    lr_range: dict | None = None
    # per probe step, per layer (as ``layers``): the weight gradient's RMS and the step's ‖ΔW‖/‖W‖
    probe_grad_rms: list = field(default_factory=list)
    probe_update_ratio: list = field(default_factory=list)
    inputs: dict | None = None  # the input features' scales (``doctor.inputs.input_scales``)
    modes: list = field(default_factory=list)  # (name, kind, detail) of batch norm/dropout left in eval mode

    @property
    def healthy(self) -> bool:
        """True when no finding is a warning or an error."""
        return not any(f.severity in ("warning", "error") for f in self.findings)

    @property
    def grad_ratio(self) -> float | None:
        """RMS of ∂L/∂W, first layer over last layer (≪ 1: vanishing; ≫ 1: exploding); None if unknown."""
        g = [s.grad_rms for s in self.layers if s.grad_rms is not None]
        return g[0] / g[-1] if len(g) >= 2 and g[-1] else None

    def by_code(self, code: str) -> list:
        return [f for f in self.findings if f.code == code]

    def to_dict(self) -> dict:
        return {"loss": self.loss, "expected_loss": self.expected_loss, "probe_losses": self.probe_losses,
                "probe_grad_rms": self.probe_grad_rms, "probe_update_ratio": self.probe_update_ratio,
                "inputs": self.inputs, "eval_mode_modules": [list(m) for m in self.modes],
                "grad_ratio_first_last": self.grad_ratio,
                "healthy": self.healthy, "layers": [s.to_dict() for s in self.layers],
                "findings": [asdict(f) for f in self.findings], "lr_range": self.lr_range}

    def __str__(self) -> str:
        return format_report(self)

    def __repr__(self) -> str:
        from .display import report_repr

        return report_repr(self)

    def _repr_html_(self) -> str:
        """In a notebook: the verdict, the findings with their thresholds and fixes, the loss, the per-layer
        table and the LR range plot, as HTML (see doctor.display)."""
        from .display import report_html

        return report_html(self)


def _expected_loss(loss_fn, out) -> float | None:
    if type(loss_fn).__name__ == "CrossEntropyLoss" and out.ndim == 2 and out.shape[1] > 1:
        return math.log(out.shape[1])
    return None


def diagnose(model, loss_fn, batch, optimizer=None, *, probe_steps: int = 3, lr_range=None) -> Report:
    """Run a few forward/backward passes on ``batch = (x, y)`` and report the network's health.

    With an ``optimizer``, also the update-to-weight ratio of its next step and the loss over
    ``probe_steps`` steps — all undone afterwards (parameters, buffers, optimizer state, ``.grad``). It also
    measures the scale of each input feature, and which batch-norm/dropout modules are in eval mode (the
    probe steps train the model as it is).
    ``lr_range``: an optional ``(x, y)`` data set for an LR range test (see ``doctor.lr_range``); needs an
    optimizer. The model is left as it was.
    """
    x, y = batch
    x = _to_tensor(x, _param_dtype(model))
    y = _to_tensor(y)
    stats = layer_stats(model, x, y, loss_fn)
    snap = snapshot(model)
    with cr.no_grad():
        out = model(x)
        loss = float(loss_fn(out, y).item())
    restore(snap)  # the forward may have moved batch-norm buffers and drawn dropout masks
    probe, grad_rms, ratios = [], [], []
    if optimizer is not None and math.isfinite(loss):
        probe, grad_rms, ratios = _probe(model, loss_fn, x, y, optimizer, stats, probe_steps)
    report = Report(stats, loss, _expected_loss(loss_fn, out), probe, probe_grad_rms=grad_rms,
                    probe_update_ratio=ratios, inputs=input_scales(x), modes=eval_mode_modules(model))
    if lr_range is not None:
        if optimizer is None:
            raise ValueError("diagnose: the LR range test (lr_range=...) needs an optimizer")
        report.lr_range = lr_range_test(model, loss_fn, optimizer, *lr_range)
    report.findings = find_problems(report)
    return report


def _probe(model, loss_fn, x, y, optimizer, stats, steps):
    """Take ``1 + steps`` optimizer steps, measuring the losses and, at every step, each layer's weight-gradient
    RMS and ‖ΔW‖/‖W‖ (the first step's ratio also goes to ``LayerStats.update_ratio``); then undo all.

    Every step is measured because a network can start where the gradient is blocked — an output layer
    initialised to zero passes no gradient down at the first step, and plenty from the second on."""
    snap = snapshot(model)
    grads = [(p, p.grad) for p in model.parameters()]
    opt_state = optimizer.state_dict()
    weights = {s.name: dict(model.named_modules())[s.name].weight for s in stats}
    losses, grad_rms, ratios = [], [], []
    try:
        for _ in range(1 + steps):
            before = {k: w.detach().numpy().astype(np.float64) for k, w in weights.items()}
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            losses.append(float(loss.item()))
            if not math.isfinite(losses[-1]):
                break
            loss.backward()
            grad_rms.append([_rms(weights[s.name].grad) for s in stats])
            optimizer.step()
            step = []
            for s in stats:
                w0 = before[s.name]
                norm = np.linalg.norm(w0)  # a zero matrix has no scale to compare a step with
                moved = weights[s.name].detach().numpy() - w0
                step.append(float(np.linalg.norm(moved) / norm) if norm else None)
            ratios.append(step)
        for s, r in zip(stats, ratios[0] if ratios else []):
            s.update_ratio = r
        if math.isfinite(losses[-1]) and len(losses) == 1 + steps:
            with cr.no_grad():
                losses.append(float(loss_fn(model(x), y).item()))
    finally:
        restore(snap)
        optimizer.load_state_dict(opt_state)
        for p, g in grads:
            p.grad = g
    return losses, grad_rms, ratios


def _rms(g):
    if g is None:
        return 0.0
    a = g.detach().numpy().astype(np.float64)
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else 0.0


__all__ = ["Report", "diagnose"]
