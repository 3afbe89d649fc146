"""``gradcheck``: the engine's derivative against central finite differences along random directions."""

from __future__ import annotations

import warnings

from ..backend import xp
from ..tensor import Tensor, _wrap
from .grad_mode import no_grad
from .graph import grad


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, n_directions=2, seed=0):
    """Check the engine's gradient of ``fn`` against central finite differences.

    Projection check (HIPS autograd's): for a random direction u over all inputs and a random cotangent
    v over the output, compare ⟨v, ∂f/∂x · u⟩ computed two ways:

        engine:      Σ_i ⟨VJP_i(v), u_i⟩
        numerical:   ⟨v, f(x + εu) − f(x − εu)⟩ / 2ε

    One backward and two forward passes per direction, for inputs of any shape. Use float64 inputs.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck: no input requires grad")
    for i in diff:
        if inputs[i]._array.dtype.kind != "f" or inputs[i]._array.dtype.itemsize < 8:
            warnings.warn(
                f"gradcheck: input {i} is {inputs[i]._array.dtype}; use float64 for a meaningful check",
                stacklevel=2,
            )
    rng = xp.random.default_rng(seed)

    def call(arrs):
        args = list(inputs)
        for i, a in zip(diff, arrs):
            args[i] = _wrap(a, None)
        with no_grad():
            out = fn(*args)
        return [o._array for o in (out if isinstance(out, (tuple, list)) else (out,))]

    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    outs = [o for o in outs if isinstance(o, Tensor) and o.requires_grad]
    base = [inputs[i]._array for i in diff]
    for _ in range(n_directions):
        vs = [rng.standard_normal(o.shape).astype(o._array.dtype) for o in outs]
        us = [rng.standard_normal(b.shape).astype(b.dtype) for b in base]
        gs = grad(outs, [inputs[i] for i in diff], vs, retain_graph=True, allow_unused=True)
        analytic = sum(float((g._array * u).sum()) for g, u in zip(gs, us) if g is not None)
        plus = call([b + eps * u for b, u in zip(base, us)])
        minus = call([b - eps * u for b, u in zip(base, us)])
        numeric = sum(float((v * (p - m)).sum()) for v, p, m in zip(vs, plus, minus)) / (2 * eps)
        if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
            if raise_exception:
                raise GradcheckError(
                    f"gradcheck failed: analytical directional derivative {analytic:.10g} vs numerical "
                    f"{numeric:.10g} (atol={atol}, rtol={rtol})"
                )
            return False
    return True


class GradcheckError(RuntimeError):
    pass
