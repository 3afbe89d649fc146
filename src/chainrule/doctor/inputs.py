"""The scale of the inputs: which features are far larger than the others (or all far from 1), before any layer.

The first layer computes h = W·x + b. A feature whose values are 1000× the others' dominates every h: its
weights get 1000× the gradient (∂L/∂W = δᵀ·x), plain SGD must use a rate small enough for that feature and
crawls on the others, and with Adam — which rescales each weight's step — the huge pre-activations still
saturate units and make the first outputs confidently wrong. The lectures' remedy is to standardise each
feature, x ← (x − mean) / std, over the training set.

``input_scales(x)`` measures each feature's RMS √mean(x²) over the batch (the size the first layer sees,
offset included): a 2-D batch has one feature per column, a batch of images one per channel (axis 1).
Features that are 0 on every sample carry nothing and are left out of the typical scale.
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

SPREAD = 10.0  # a feature more than 10× the median feature's RMS is flagged (warning)
LARGE, SMALL = 10.0, 0.01  # the median feature RMS should be within [0.01, 10] (standardised data: ≈ 1)
NAMED = 5  # features named in a finding (the largest first)


def input_scales(x) -> dict | None:
    """Per-feature RMS of a float batch ``x`` (None for integer inputs such as token ids, or a 1-D batch):
    ``{"axis": "feature" or "channel", "rms": [...], "median": m}`` (median over the non-zero features)."""
    a = x.detach().numpy() if isinstance(x, cr.Tensor) else np.asarray(x)
    if a.dtype.kind != "f" or a.ndim < 2 or a.shape[0] == 0 or a.shape[1] == 0:
        return None
    a = a.astype(np.float64)
    per = np.moveaxis(a, 1, 0).reshape(a.shape[1], -1)
    if not np.isfinite(per).all():
        return None  # the doctor's NaN/Inf finding covers it
    rms = np.sqrt(np.mean(np.square(per), axis=1))
    alive = rms[rms > 0]
    return {"axis": "feature" if a.ndim == 2 else "channel", "rms": rms.tolist(),
            "median": float(np.median(alive)) if alive.size else 0.0}


def scale_problems(scales, first_layer):
    """(severity, code, layer, message, value, threshold) for the inputs' scale, or []."""
    if not scales or scales["median"] <= 0:
        return []
    rms, median, axis = np.asarray(scales["rms"]), scales["median"], scales["axis"]
    out = []
    big = np.flatnonzero(rms > SPREAD * median)
    if big.size:
        order = big[np.argsort(-rms[big])]
        named = ", ".join(f"{axis} {i} (RMS {rms[i]:.3g}, {rms[i] / median:.3g}×)" for i in order[:NAMED])
        more = f" and {big.size - NAMED} more" if big.size > NAMED else ""
        worst = float(rms[order[0]] / median)
        out.append(("warning", "input_scale", first_layer,
                    f"the input {axis}s' scales spread over {np.log10(worst):.1f} orders of magnitude: {named}{more} "
                    f"against a median {axis} RMS of {median:.3g}; they dominate the first layer's pre-activations "
                    f"and its gradient (∂L/∂W = δᵀ·x)", worst, f"a {axis} more than {SPREAD:g}× the median RMS"))
    elif not SMALL <= median <= LARGE:
        out.append(("warning", "input_scale", first_layer,
                    f"the inputs are not standardised: the median {axis} RMS is {median:.3g}", median,
                    f"median {axis} RMS within [{SMALL:g}, {LARGE:g}] (standardised data: ≈ 1)"))
    return out


__all__ = ["input_scales", "scale_problems", "SPREAD", "LARGE", "SMALL"]
