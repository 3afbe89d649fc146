"""The doctor's rules: from per-layer statistics to findings, each with a severity and a fix in the lectures'
terms; and the text form of a report.

Thresholds are rules of thumb, kept here in one place:

* saturated sigmoid/tanh outputs: > 20 % warning, > 50 % error;
* dead ReLUs (h ≤ 0 on every sample): > 20 % warning, > 50 % error;
* a weight gradient that is exactly 0: error;
* identical units (symmetry): any duplicated unit is a warning; half a layer or more is an error;
* gradient RMS ratio first/last layer: < 1e-3 warning, < 1e-5 error (vanishing); > 1e3 / 1e5 (exploding)
  (a healthy 2-hidden-layer sigmoid net sits near 1e-2: σ' ≤ 1/4 per layer);
* activation batch std, last hidden layer / first: < 0.1 or > 10 is a warning (the signal collapses or grows);
* update-to-weight ratio ‖ΔW‖/‖W‖ of one step: > 0.3 warning, > 3 error; all < 1e-6 warning (too small);
* the loss over a few probe steps: NaN/Inf, or growing by half, is an error (exploding loss);
* the initial loss above 2·ln C + 1 (C balanced classes, cross-entropy) is a warning (confidently wrong).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    severity: str  # "error" | "warning" | "info"
    code: str  # "symmetry", "saturation", "dead_relu", "vanishing", "exploding", "exploding_loss", ...
    layer: str | None  # the layer's name, or None for the whole network
    message: str  # what was measured
    fix: str  # what to do, in the lectures' terms


FIXES = {
    "nonfinite": "Lower the learning rate (÷10), standardise the inputs, compute the loss from logits "
                 "(CrossEntropyLoss / BCEWithLogitsLoss, never log of a softmax), clip gradients.",
    "symmetry": "Initialise the weights randomly (zero-mean, Var(w) = 1/fan_in: LeCun; Xavier/Glorot for "
                "tanh/sigmoid, He/Kaiming for ReLU). Identical units get identical gradients and stay identical "
                "(the symmetry problem); biases may start at 0.",
    "saturation": "The weights are too large for sigmoid/tanh: use Xavier/LeCun initialisation (n·Var(w) ≈ 1), "
                  "standardise the inputs, add batch norm before the activation, or use ReLU — on the flat "
                  "tails σ' ≈ 0 and the gradient vanishes.",
    "dead_relu": "A ReLU with h ≤ 0 for every input passes no gradient and never recovers: lower the learning "
                 "rate, use He initialisation with zero (not negative) biases, or LeakyReLU/ELU/PReLU; batch "
                 "norm also keeps pre-activations centred.",
    "no_gradient": "No gradient reaches these weights, so they never change: look for all-zero or constant "
                   "weights (symmetric initialisation) or dead ReLUs in front of them; initialise randomly "
                   "(Xavier/He) with zero biases.",
    "vanishing": "Gradients shrink towards the input layers: use ReLU-family activations, He/Xavier "
                 "initialisation (n·Var(w) = 2 for ReLU, 1 for tanh), batch norm, or a shallower network.",
    "exploding": "Gradients grow towards the input layers: initialise with smaller weights (Xavier/He, "
                 "not larger), lower the learning rate, clip the gradient norm (nn.utils.clip_grad_norm_).",
    "signal_collapse": "Activations shrink layer by layer: scale the initial weights up to n·Var(w) = 1 "
                       "(LeCun/Xavier) or 2 for ReLU (He); batch norm renormalises each layer.",
    "signal_growth": "Activations grow layer by layer: scale the initial weights down to n·Var(w) = 1 "
                     "(LeCun/Xavier) or 2 for ReLU (He); batch norm renormalises each layer.",
    "exploding_loss": "The learning rate is too high: divide it by 10 (or run the LR range test, "
                 "`--lr-range`), and consider gradient clipping or Adam with its default rate.",
    "update_large": "Each step changes the weights by a large fraction of their size (rule of thumb ~1e-3): "
                    "lower the learning rate.",
    "update_small": "Each step barely moves the weights: raise the learning rate (×10), or look for "
                    "vanishing gradients.",
    "initial_loss": "At initialisation a classifier should be unsure: loss ≈ ln C. A much larger loss means "
                    "confident wrong outputs — the last layer's weights are too large; scale the init down.",
}


def _pct(x):
    return f"{100 * x:.0f}%"


def find_problems(report) -> list[Finding]:
    """Every finding for a ``doctor.Report``, errors first."""
    out = []
    layers = report.layers

    def add(sev, code, layer, message):
        out.append(Finding(sev, code, layer, message, FIXES[code]))

    if not math.isfinite(report.loss) or not all(s.finite for s in layers):
        bad = [s.name for s in layers if not s.finite]
        add("error", "nonfinite", None, f"NaN/Inf in the loss ({report.loss})"
            + (f" and in the activations of layer(s) {', '.join(bad)}" if bad else ""))
    for s in layers:
        if s.identical_units >= 2 and s.fan_out >= 2:
            sev = "error" if s.identical_units >= max(2, s.fan_out // 2) else "warning"
            add(sev, "symmetry", s.name, f"{s.identical_units} of {s.fan_out} units of layer {s.name} compute "
                "the same values on every sample")
        if s.frac_saturated is not None and s.frac_saturated > 0.2:
            add("error" if s.frac_saturated > 0.5 else "warning", "saturation", s.name,
                f"{_pct(s.frac_saturated)} of the {s.activation} outputs of layer {s.name} are saturated "
                f"(pre-activation std {s.pre_std:.3g}, n·Var(w) = {s.n_var_w:.3g})")
        if s.frac_dead is not None and s.frac_dead > 0.2:
            if s.activation == "relu":
                add("error" if s.frac_dead > 0.5 else "warning", "dead_relu", s.name,
                    f"{_pct(s.frac_dead)} of the ReLU units of layer {s.name} are dead (h ≤ 0 on every sample; "
                    f"pre-activation mean {s.pre_mean:.3g})")
            else:
                add("info", "dead_relu", s.name, f"{_pct(s.frac_dead)} of the {s.activation} units of layer "
                    f"{s.name} are on their negative side for every sample (they still pass a gradient)")
    stuck = [s.name for s in layers if s.grad_rms == 0]
    if stuck and math.isfinite(report.loss):
        add("error", "no_gradient", None, f"the weight gradient is exactly 0 in layer(s) {', '.join(stuck)}")
    grads = [s.grad_rms for s in layers if s.grad_rms is not None]
    if len(grads) >= 2 and all(math.isfinite(g) for g in grads) and grads[-1] > 0:
        ratio = grads[0] / grads[-1]
        msg = (f"gradient RMS first layer / last layer = {ratio:.2g} ({grads[0]:.2g} vs {grads[-1]:.2g})")
        if ratio < 1e-3:
            add("error" if ratio < 1e-5 else "warning", "vanishing", None, msg)
        elif ratio > 1e3:
            add("error" if ratio > 1e5 else "warning", "exploding", None, msg)
    hidden = [s for s in layers if s.activation is not None and s.finite]
    if len(hidden) >= 3 and hidden[0].batch_std > 0:
        r = hidden[-1].batch_std / hidden[0].batch_std
        msg = (f"the activations' batch std (how much they vary with the input) falls from "
               f"{hidden[0].batch_std:.3g} (layer {hidden[0].name}) to {hidden[-1].batch_std:.3g} "
               f"(layer {hidden[-1].name})")
        if r < 0.1:
            add("warning", "signal_collapse", None, msg)
        elif r > 10:
            add("warning", "signal_growth", None, msg.replace("falls", "grows"))
    probe = report.probe_losses
    if probe:
        if not all(math.isfinite(v) for v in probe):
            add("error", "exploding_loss", None, f"the loss became NaN/Inf within {len(probe) - 1} optimizer steps "
                f"(losses: {', '.join(f'{v:.3g}' for v in probe)})")
        elif probe[-1] > 1.5 * probe[0] + 0.05:
            add("error", "exploding_loss", None, f"the loss grows over {len(probe) - 1} optimizer steps: "
                + " → ".join(f"{v:.3g}" for v in probe))
    ratios = [s.update_ratio for s in layers if s.update_ratio is not None]
    if ratios and all(math.isfinite(r) for r in ratios):
        worst = max(range(len(ratios)), key=lambda i: ratios[i])
        if ratios[worst] > 0.3:
            add("error" if ratios[worst] > 3 else "warning", "update_large", layers[worst].name,
                f"one step changes layer {layers[worst].name}'s weights by {ratios[worst]:.2g} of their norm")
        elif max(ratios) < 1e-6:
            add("warning", "update_small", None, f"one step changes the weights by at most {max(ratios):.2g} "
                "of their norm")
    if report.expected_loss is not None and math.isfinite(report.loss):
        if report.loss > 2 * report.expected_loss + 1:
            add("warning", "initial_loss", None, f"the loss is {report.loss:.3g}; an untrained classifier of "
                f"{round(math.exp(report.expected_loss))} balanced classes should start near ln C = "
                f"{report.expected_loss:.3g}")
    out.sort(key=lambda f: SEVERITIES.index(f.severity))
    return out


def _f(v, spec=".3g"):
    return "-" if v is None else format(v, spec)


def format_report(report) -> str:
    """The report as text: a per-layer table, the loss, then every finding with its fix."""
    head = ("layer", "act", "n·Var(w)", "act mean", "act std", "satur.", "dead", "ident.", "grad RMS", "ΔW/W")
    rows = [head]
    for s in report.layers:
        rows.append((f"{s.name} {s.kind}({s.fan_in}→{s.fan_out})", s.activation or "-", _f(s.n_var_w),
                     _f(s.act_mean), _f(s.act_std),
                     "-" if s.frac_saturated is None else _pct(s.frac_saturated),
                     "-" if s.frac_dead is None else _pct(s.frac_dead), str(s.identical_units),
                     _f(s.grad_rms, ".2e"), _f(s.update_ratio, ".2e")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    loss = f"loss {report.loss:.4g}"
    if report.expected_loss is not None:
        loss += f" (ln C = {report.expected_loss:.4g} for an untrained classifier)"
    if report.probe_losses:
        loss += "; over the next steps: " + " → ".join(f"{v:.4g}" for v in report.probe_losses)
    lines += ["", loss]
    if report.grad_ratio is not None:
        lines.append(f"gradient RMS, first layer / last layer: {report.grad_ratio:.3g}")
    if report.lr_range and report.lr_range.get("suggested_lr"):
        lines.append(f"LR range test: suggested learning rate {report.lr_range['suggested_lr']:.2g}")
    lines.append("")
    if not report.findings:
        lines.append("No problems found.")
    for f in report.findings:
        where = f"layer {f.layer}: " if f.layer is not None and f"layer {f.layer}" not in f.message else ""
        lines.append(f"[{f.severity.upper()}] {f.code}: {where}{f.message}")
        lines.append(f"    fix: {f.fix}")
    if report.findings and report.healthy:
        lines.append("Nothing alarming (information only).")
    return "\n".join(lines)
