"""The doctor's rules, one function per family, each returning (severity, code, layer, message, value, threshold)
tuples; ``findings.find_problems`` runs them all and adds the fixes. Every message says what was measured and
where; ``value`` is the number the threshold applies to.

The thresholds are rules of thumb (the list is in ``findings``' docstring). Two situations that look alarming
at initialisation and are not:

* an **output layer whose units start identical** (e.g. initialised to zero) is not the symmetry problem: the
  loss gives each output its own gradient (softmax − one-hot, or h − y), so its units separate at the first
  step. Said as info, never an error.
* an **output layer initialised to zero** passes no gradient down at the first step (δ·W = 0), so every layer
  below it has ∂L/∂W = 0 — once. Its own gradient δᵀ·a is not zero, so from the second step on gradients
  flow. The gradient rules then use what the probe measured after that first step; without an optimizer they
  cannot, and say so as info.
"""

from __future__ import annotations

import math


def _pct(x):
    return f"{100 * x:.0f}%"


def output_layer(layers):
    """The last layer, when it is a plain output layer (no activation after it), else None."""
    return layers[-1] if layers and layers[-1].activation is None else None


def zero_output(layers) -> bool:
    """The output layer's weights are all 0: it blocks every gradient below it, at the first step only."""
    out = output_layer(layers)
    return out is not None and len(layers) >= 2 and out.weight_rms == 0


def layer_rules(layers):
    """Symmetry, saturation and dead units, layer by layer."""
    out, last = [], output_layer(layers)
    for s in layers:
        if s.identical_units >= 2 and s.fan_out >= 2:
            if s is last:
                how = "all 0" if s.weight_rms == 0 else "identical"
                why = ("the loss gives each output its own gradient, so they separate at the first step"
                       if s.grad_rms != 0 else "the loss gives each output its own gradient, but nothing reaches "
                       "their weights here while the layers below are stuck (see the findings above)")
                out.append(("info", "output_symmetry", s.name,
                            f"{s.identical_units} of the {s.fan_out} units of the output layer {s.name} start "
                            f"identical (weights {how}); not the symmetry problem: {why}", s.identical_units,
                            "identical units are a problem in hidden layers only"))
            else:
                error = s.identical_units >= max(2, s.fan_out // 2)
                out.append(("error" if error else "warning", "symmetry", s.name,
                            f"{s.identical_units} of {s.fan_out} units of layer {s.name} compute the same values "
                            f"on every sample", s.identical_units,
                            f"any duplicated unit is a warning, {max(2, s.fan_out // 2)} (half the layer) an error"))
        if s.frac_saturated is not None and s.frac_saturated > 0.2:
            out.append(("error" if s.frac_saturated > 0.5 else "warning", "saturation", s.name,
                        f"{_pct(s.frac_saturated)} of the {s.activation} outputs of layer {s.name} are saturated "
                        f"(pre-activation std {s.pre_std:.3g}, n·Var(w) = {s.n_var_w:.3g})", s.frac_saturated,
                        "more than 20% saturated is a warning, 50% an error"))
        if s.frac_dead is not None and s.frac_dead > 0.2:
            if s.activation == "relu":
                out.append(("error" if s.frac_dead > 0.5 else "warning", "dead_relu", s.name,
                            f"{_pct(s.frac_dead)} of the ReLU units of layer {s.name} are dead (h ≤ 0 on every "
                            f"sample; pre-activation mean {s.pre_mean:.3g})", s.frac_dead,
                            "more than 20% dead is a warning, 50% an error"))
            else:
                out.append(("info", "dead_relu", s.name, f"{_pct(s.frac_dead)} of the {s.activation} units of "
                            f"layer {s.name} are on their negative side for every sample (they still pass a "
                            f"gradient)", s.frac_dead, "more than 20%"))
    return out


def gradient_rules(report):
    """No gradient, vanishing/exploding gradients (first layer vs last), with the zero-output-layer exception."""
    layers = report.layers
    if not layers or not math.isfinite(report.loss):
        return []
    grads, when, out = [s.grad_rms for s in layers], "", []
    if zero_output(layers):
        last = layers[-1]
        if len(report.probe_grad_rms) >= 2:
            grads, when = report.probe_grad_rms[1], " after one training step"
            if all(g > 0 for g in grads[:-1]):  # (if not, no_gradient below says so, measured after that step)
                below = ", ".join(f"layer {s.name}: {g:.2g}" for s, g in zip(layers[:-1], grads))
                out.append(("info", "zero_output", last.name,
                            f"the output layer {last.name} starts with all weights 0, so at the first step no "
                            f"gradient reaches the layers below it (∂L/∂W = 0 there); its own gradient is not 0, "
                            f"and after one step the layers below get one (gradient RMS {below})", min(grads[:-1]),
                            "a gradient in every layer from the second step on"))
        else:
            stuck = [s.name for s in layers[:-1] if s.grad_rms == 0]
            out.append(("info", "zero_output", last.name,
                        f"the output layer {last.name} starts with all weights 0, so the weight gradient of "
                        f"layer(s) {', '.join(stuck) or '-'} is 0 at the first step; it flows from the second step "
                        f"on (give diagnose an optimizer to measure it)", 0.0,
                        "a gradient in every layer from the second step on"))
            return out
    stuck = [s.name for s, g in zip(layers, grads) if g == 0]
    if stuck:
        out.append(("error", "no_gradient", stuck[0], f"the weight gradient is exactly 0{when} in layer(s) "
                    f"{', '.join(stuck)}", 0.0, "a weight gradient that is exactly 0 is an error"))
    known = [g for g in grads if g is not None]
    if len(known) >= 2 and all(math.isfinite(g) for g in known) and known[-1] > 0 and known[0] > 0:
        ratio = known[0] / known[-1]
        msg = (f"gradient RMS{when}, first layer {layers[0].name} / last layer {layers[-1].name} = {ratio:.2g} "
               f"({known[0]:.2g} vs {known[-1]:.2g})")
        if ratio < 1e-3:
            out.append(("error" if ratio < 1e-5 else "warning", "vanishing", layers[0].name, msg, ratio,
                        "a ratio below 1e-3 is a warning, below 1e-5 an error"))
        elif ratio > 1e3:
            out.append(("error" if ratio > 1e5 else "warning", "exploding", layers[0].name, msg, ratio,
                        "a ratio above 1e3 is a warning, above 1e5 an error"))
    return out


def signal_rules(layers):
    """The activations' batch std from the first hidden layer to the last (collapse or growth)."""
    hidden = [s for s in layers if s.activation is not None and s.finite]
    if len(hidden) < 3 or hidden[0].batch_std <= 0:
        return []
    r = hidden[-1].batch_std / hidden[0].batch_std
    msg = (f"the activations' batch std (how much they vary with the input) falls from {hidden[0].batch_std:.3g} "
           f"(layer {hidden[0].name}) to {hidden[-1].batch_std:.3g} (layer {hidden[-1].name}), a ratio of {r:.2g}")
    if r < 0.1:
        return [("warning", "signal_collapse", hidden[-1].name, msg, r, "a ratio below 0.1")]
    if r > 10:
        return [("warning", "signal_growth", hidden[-1].name, msg.replace("falls", "grows"), r, "a ratio above 10")]
    return []


def probe_rules(report):
    """The loss at every probe step (exploding loss), and the update-to-weight ratio of a step."""
    out, probe, layers = [], report.probe_losses, report.layers
    if probe:
        steps = len(probe) - 1
        bad = next((k for k, v in enumerate(probe) if not math.isfinite(v)), None)
        limit = 1.5 * probe[0] + 0.05
        peak = max(range(len(probe)), key=lambda k: probe[k]) if bad is None else bad
        trail = " → ".join(f"{v:.3g}" for v in probe)
        if bad is not None:
            out.append(("error", "exploding_loss", None, f"the loss became NaN/Inf after {bad} of the {steps} probe "
                        f"steps ({trail})", math.inf, "any NaN/Inf loss is an error"))
        elif probe[peak] > limit:
            back = (f", then came back to {probe[-1]:.3g} (a lucky landing, not convergence: the steps overshoot)"
                    if peak < len(probe) - 1 and probe[-1] <= limit else "")
            out.append(("error", "exploding_loss", None, f"the loss rose from {probe[0]:.3g} to {probe[peak]:.3g} "
                        f"after {peak} of the {steps} probe steps{back}: {trail}",
                        probe[peak] / probe[0] if probe[0] else math.inf,
                        f"a loss above 1.5× the first + 0.05 = {limit:.3g} at any probe step"))
    ratios = report.probe_update_ratio
    k = 1 if zero_output(layers) and len(ratios) >= 2 else 0  # the zero output layer: its first step moves only it
    step = [(s, r) for s, r in zip(layers, ratios[k] if ratios else []) if r is not None]
    if k:  # ...and its own weights, grown from 0 at that step, change by their whole size at the next
        step = [(s, r) for s, r in step if s is not layers[-1]]
    when = " (at the second step: the first moves only the zero output layer)" if k else ""
    if step and all(math.isfinite(r) for _, r in step):
        worst, r = max(step, key=lambda p: p[1])
        if r > 0.3:
            out.append(("error" if r > 3 else "warning", "update_large", worst.name,
                        f"one step changes layer {worst.name}'s weights by {r:.2g} of their norm{when}", r,
                        "‖ΔW‖/‖W‖ above 0.3 is a warning, above 3 an error (rule of thumb: ~1e-3)"))
        elif r < 1e-6:
            out.append(("warning", "update_small", worst.name,
                        f"one step changes the weights by at most {r:.2g} of their norm (layer {worst.name}){when}",
                        r, "‖ΔW‖/‖W‖ below 1e-6 in every layer"))
    return out


def loss_rules(report, input_trouble: bool):
    """The first loss of a classifier against ln C."""
    if report.expected_loss is None or not math.isfinite(report.loss) or not report.layers:
        return []
    limit = 2 * report.expected_loss + 1
    if report.loss <= limit:
        return []
    cause = ("; the input scale (see input_scale) is the likely cause: its huge pre-activations make the outputs "
             "confidently wrong" if input_trouble else "")
    layer = report.layers[0].name if input_trouble else report.layers[-1].name
    return [("warning", "initial_loss", layer, f"the loss is {report.loss:.3g}; an untrained classifier of "
             f"{round(math.exp(report.expected_loss))} balanced classes should start near ln C = "
             f"{report.expected_loss:.3g}{cause}", report.loss, f"a first loss above 2·ln C + 1 = {limit:.3g}")]


__all__ = ["layer_rules", "gradient_rules", "signal_rules", "probe_rules", "loss_rules", "zero_output"]
