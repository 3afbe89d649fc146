"""Layer-level backprop for ``nn`` models: the lecture's "Backpropagation: the algorithm" slide for a real network.

For each layer, from the last to the first:

    δ      = ∂L/∂(output of the layer)                       the error arriving from above
    ∂L/∂W  = δᵀ · input,   ∂L/∂b = Σ_batch δ                 for a Linear layer (output = input · Wᵀ + b)
    ∂L/∂input = δ · W                                         which is δ of the layer below

``layers(model, x, y, loss_fn)`` runs one forward pass with forward hooks on every leaf module (to catch
each layer's input and output), then one ``autograd.grad`` for every output and parameter at once, so the
model's ``.grad`` fields are left untouched. For Linear layers it also checks ∂L/∂W against δᵀ · input
computed by hand from the captured tensors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import chainrule as cr

from . import fmt


@dataclass
class Layer:
    name: str  # the module's name in the model ("0", "encoder.2")
    kind: str  # its class ("Linear", "ReLU")
    output_shape: tuple
    grad_output: object  # δ = ∂L/∂output (an array), None when the output needs no gradient
    params: list = field(default_factory=list)  # [(name, value array, gradient array or None)]
    by_hand: bool | None = None  # Linear: does ∂L/∂W equal δᵀ · input? (None: not a Linear layer)

    def __repr__(self):
        from .notebook import layer_repr

        return layer_repr(self)


@dataclass
class LayerReport:
    layers: list  # from the last layer to the first
    loss: float
    loss_name: str
    batch: int
    model_name: str

    def parts(self, digits: int = 2):
        """(the two header lines, the table as rows of strings with its column titles first, the note or "")."""
        n = fmt.number
        head = [
            f"backprop through {self.model_name} on a batch of {self.batch}: loss = {n(self.loss, digits + 2)} "
            f"({self.loss_name})",
            "from the last layer to the first; δ = ∂L/∂(the layer's output). For a Linear layer "
            "(out = in·Wᵀ + b): ∂L/∂W = δᵀ·in, ∂L/∂b = Σ δ, and ∂L/∂in = δ·W is the δ of the layer below.",
        ]
        rows = [("layer", "type", "output", "‖δ‖", "parameter", "shape", "‖param‖", "‖∂L/∂param‖", "δᵀ·in")]
        for lay in self.layers:
            first = [lay.name, lay.kind, fmt.shape(lay.output_shape),
                     n(_norm(lay.grad_output), digits + 1) if lay.grad_output is not None else "-"]
            check = "" if lay.by_hand is None else ("✓" if lay.by_hand else "✗")
            if not lay.params:
                rows.append((*first, "", "", "", "", ""))
            for k, (pname, value, grad) in enumerate(lay.params):
                cells = first if k == 0 else ["", "", "", ""]
                rows.append((*cells, pname, fmt.shape(np.shape(value)), n(_norm(value), digits + 1),
                             n(_norm(grad), digits + 1) if grad is not None else "-",
                             check if pname == "weight" else ""))
        note = ""
        if any(lay.by_hand is not None for lay in self.layers):
            note = "δᵀ·in: ✓ where the engine's ∂L/∂W equals δᵀ·in computed by hand from the captured tensors"
        return head, rows, note

    def text(self, digits: int = 2) -> str:
        head, rows, note = self.parts(digits)
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        body = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        return "\n".join(head + [""] + body + (["", note] if note else []))

    def __str__(self):
        return self.text()

    def __repr__(self):
        from .notebook import layers_repr

        return layers_repr(self)

    def _repr_html_(self):
        """In a notebook: the table of ``text()``, as HTML (see explain.notebook)."""
        from .notebook import layers_html

        return layers_html(self)


def _array(t):
    """A tensor's values as an array (None stays None; arrays pass through)."""
    return None if t is None else t.detach().numpy() if isinstance(t, cr.Tensor) else np.asarray(t)


def _norm(a):
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64).ravel()))


def layers(model, x, y, loss_fn) -> LayerReport:
    """Per layer, last to first: output shape, δ = ∂L/∂output and ∂L/∂parameter, with their norms."""
    leaves = [(name, m) for name, m in model.named_modules() if not any(True for _ in m.children())]
    if not leaves:
        raise ValueError("layers(): the model has no layers")
    seen = []  # (name, module, input, output) in the order the forward pass calls them

    def hook_for(name):
        def hook(module, args, output):
            seen.append((name, module, args[0] if args else None, output))

        return hook

    handles = [m.register_forward_hook(hook_for(name)) for name, m in leaves]
    try:
        with cr.enable_grad():
            loss = loss_fn(model(x), y)
    finally:
        for h in handles:
            h.remove()
    if loss.numel() != 1:
        raise ValueError(f"layers(): the loss must be a single number, got shape {tuple(loss.shape)}")
    outputs = [o for _, _, _, o in seen if getattr(o, "requires_grad", False)]
    params = [p for _, m, _, _ in seen for _, p in m.named_parameters(recurse=False) if p.requires_grad]
    wanted = list({id(t): t for t in outputs + params}.values())
    grads = dict(zip(map(id, wanted), cr.autograd.grad(loss, wanted, allow_unused=True))) if wanted else {}
    rows = []
    for name, m, inp, out in reversed(seen):
        g_out = grads.get(id(out))
        ps = [(pn, _array(p), _array(grads.get(id(p)))) for pn, p in m.named_parameters(recurse=False)]
        delta = _array(g_out)
        lay = Layer(name or type(m).__name__, type(m).__name__, tuple(out.shape), delta, ps)
        w = dict((pn, g) for pn, _, g in ps).get("weight")
        if type(m).__name__ == "Linear" and g_out is not None and w is not None and inp is not None:
            a, d = _array(inp).astype(np.float64), delta.astype(np.float64)
            a, d = a.reshape(-1, a.shape[-1]), d.reshape(-1, d.shape[-1])
            lay.by_hand = bool(np.allclose(d.T @ a, w, rtol=1e-4, atol=1e-6 * max(1.0, _norm(w))))
        rows.append(lay)
    return LayerReport(rows, float(loss.item()), type(loss_fn).__name__, int(np.shape(_array(x))[0]),
                       type(model).__name__)


def explain_run(run_dir, batch: int = 64, digits: int = 2) -> str:
    """``chainrule explain model --run DIR``: ``layers`` on a batch of the run's training data.

    Expects a folder written by ``chainrule train`` (``config.json`` + ``model.ckpt``), read back with
    ``chainrule.train.load_run``: the model with its trained weights, its loss, and its data split."""
    if batch < 1:
        raise ValueError(f"--batch must be at least 1, got {batch}")
    try:
        from ..train import load_run
    except ImportError as err:
        raise ValueError(f"`chainrule explain model` needs chainrule.train ({err})") from None
    run = load_run(run_dir)
    X, y = run.data.train.tensors[:2]
    report = layers(run.model, X[:batch], y[:batch], run.loss_fn)
    head = f"run {run_dir}: {run.config.get('dataset')} after {run.epoch} epochs (model in eval mode)\n"
    return head + report.text(digits)
