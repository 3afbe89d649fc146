"""The doctor's findings: each names the layer, the number measured, the threshold it crossed and the fix, in
the lectures' terms; and the text form of a report. The rules themselves are in ``rules``, ``inputs`` and
``modes``.

Thresholds are rules of thumb, kept in those modules and listed here:

* saturated sigmoid/tanh outputs: > 20 % warning, > 50 % error;
* dead ReLUs (h ≤ 0 on every sample): > 20 % warning, > 50 % error;
* a weight gradient that is exactly 0: error (an output layer initialised to zero blocks it at the first step
  only: then the gradient after one step counts, and the zero layer is an info);
* identical units (symmetry) in a hidden layer: any duplicated unit is a warning; half a layer or more is an
  error (in the output layer: info, the loss separates them);
* gradient RMS ratio first/last layer: < 1e-3 warning, < 1e-5 error (vanishing); > 1e3 / 1e5 (exploding)
  (a healthy 2-hidden-layer sigmoid net sits near 1e-2: σ' ≤ 1/4 per layer);
* activation batch std, last hidden layer / first: < 0.1 or > 10 is a warning (the signal collapses or grows);
* update-to-weight ratio ‖ΔW‖/‖W‖ of one step: > 0.3 warning, > 3 error; all < 1e-6 warning (too small);
* the loss at any probe step: NaN/Inf, or above 1.5× the first + 0.05, is an error (exploding loss);
* the initial loss above 2·ln C + 1 (C balanced classes, cross-entropy) is a warning (confidently wrong);
* an input feature whose RMS is more than 10× the median feature's, or a median feature RMS outside
  [0.01, 10], is a warning (standardise the inputs);
* batch norm or dropout in eval mode while the model trains, or in training mode at evaluation
  (``watch_modes``), is a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    severity: str  # "error" | "warning" | "info"
    code: str  # "symmetry", "saturation", "dead_relu", "vanishing", "exploding", "exploding_loss", ...
    layer: str | None  # the layer's (or module's) name, or None for the whole network
    message: str  # what was measured
    fix: str  # what to do, in the lectures' terms
    value: float | None = None  # the number the threshold applies to
    threshold: str | None = None  # the threshold, in words ("more than 20% dead is a warning, 50% an error")

    def __repr__(self):
        from .display import finding_repr

        return finding_repr(self)


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
    "initial_loss_inputs": "Standardise the inputs first (see input_scale); the first loss then comes down to "
                           "about ln C by itself.",
    "output_symmetry": "Nothing to do: a zero (or constant) output layer is a common, harmless initialisation. "
                       "Hidden layers must start random.",
    "zero_output": "Nothing to do: the output layer's first update unblocks the gradient. (Initialise hidden "
                   "layers randomly; the output layer may start at 0.)",
    "input_scale": "Standardise each input feature over the training set, x ← (x − mean) / std "
                   "(chainrule.data.Standardize().fit(X_train), or scikit-learn's StandardScaler), and apply the "
                   "same mean and std to the validation and test data; for images, scale the pixels to [0, 1] and "
                   "normalise per channel.",
    "eval_mode_in_training": "Call model.train() before the training steps (and model.eval() only around "
                             "evaluation). If you froze batch norm on purpose (fine-tuning), ignore this.",
    "train_mode_at_evaluation": "Call model.eval() before evaluating (with chainrule.no_grad()), and "
                                "model.train() before training again.",
}


def find_problems(report) -> list[Finding]:
    """Every finding for a ``doctor.Report``, errors first."""
    from .inputs import scale_problems
    from .modes import mode_problems
    from .rules import gradient_rules, layer_rules, loss_rules, probe_rules, signal_rules

    layers = report.layers
    found = []
    if not math.isfinite(report.loss) or not all(s.finite for s in layers):
        bad = [s.name for s in layers if not s.finite]
        found.append(("error", "nonfinite", bad[0] if bad else None, f"NaN/Inf in the loss ({report.loss})"
                      + (f" and in the activations of layer(s) {', '.join(bad)}" if bad else ""), math.nan,
                      "any NaN/Inf is an error"))
    found += layer_rules(layers) + gradient_rules(report) + signal_rules(layers) + probe_rules(report)
    inputs = scale_problems(report.inputs, layers[0].name if layers else None)
    found += inputs + loss_rules(report, bool(inputs)) + mode_problems(report.modes, len(report.probe_grad_rms))
    out = []
    for severity, code, layer, message, value, threshold in found:
        fix = FIXES["initial_loss_inputs" if code == "initial_loss" and inputs else code]
        out.append(Finding(severity, code, layer, message, fix, value, threshold))
    out.sort(key=lambda f: SEVERITIES.index(f.severity))
    return out


def _pct(x):
    return f"{100 * x:.0f}%"


def _f(v, spec=".3g"):
    return "-" if v is None else format(v, spec)


LAYER_HEAD = ("layer", "act", "n·Var(w)", "act mean", "act std", "satur.", "dead", "ident.", "grad RMS", "ΔW/W")


def layer_rows(report) -> list:
    """The per-layer table as rows of strings (``LAYER_HEAD`` are the column titles)."""
    rows = []
    for s in report.layers:
        rows.append((f"{s.name} {s.kind}({s.fan_in}→{s.fan_out})", s.activation or "-", _f(s.n_var_w),
                     _f(s.act_mean), _f(s.act_std),
                     "-" if s.frac_saturated is None else _pct(s.frac_saturated),
                     "-" if s.frac_dead is None else _pct(s.frac_dead), str(s.identical_units),
                     _f(s.grad_rms, ".2e"), _f(s.update_ratio, ".2e")))
    return rows


def summary_lines(report) -> list:
    """The lines between the table and the findings: the loss (and over the probe steps), the gradient ratio,
    the LR range test's verdict."""
    loss = f"loss {report.loss:.4g}"
    if report.expected_loss is not None:
        loss += f" (ln C = {report.expected_loss:.4g} for an untrained classifier)"
    if report.probe_losses:
        loss += "; over the next steps: " + " → ".join(f"{v:.4g}" for v in report.probe_losses)
    lines = [loss]
    if report.grad_ratio is not None:
        line = f"gradient RMS, first layer / last layer: {report.grad_ratio:.3g}"
        after = report.probe_grad_rms[1] if len(report.probe_grad_rms) >= 2 else None
        if report.grad_ratio == 0 and after and after[-1]:
            line += f" at the first step, {after[0] / after[-1]:.3g} after one step"
        lines.append(line)
    if report.lr_range:
        from .lr_range import describe

        lines.append("LR range test: " + describe(report.lr_range))
    return lines


def where(f) -> str:
    """"layer 2: " before a finding's message, unless the message names its layer already."""
    named = f.layer is None or f"layer {f.layer}" in f.message or f"module {f.layer} " in f.message
    return "" if named else f"layer {f.layer}: "


def format_report(report) -> str:
    """The report as text: a per-layer table, the loss, then every finding with its fix."""
    rows = [LAYER_HEAD] + layer_rows(report)
    widths = [max(len(r[i]) for r in rows) for i in range(len(LAYER_HEAD))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [""] + summary_lines(report) + [""]
    if not report.findings:
        lines.append("No problems found.")
    for f in report.findings:
        lines.append(f"[{f.severity.upper()}] {f.code}: {where(f)}{f.message}")
        if f.threshold:
            lines.append(f"    threshold: {f.threshold}")
        lines.append(f"    fix: {f.fix}")
    if report.findings and report.healthy:
        lines.append("Nothing alarming (information only).")
    return "\n".join(lines)
