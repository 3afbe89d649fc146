"""The lecture's table of SGD steps, computed by the engine.

For a model h = model(params, data) and a loss L = loss(h, data), each row is one step of gradient descent:

    forward:   h, L
    backward:  ∂L/∂h, then ∂L/∂p = ∂L/∂h · ∂h/∂p for every parameter p
    update:    p ← p − lr · ∂L/∂p                (the columns w, b show the new values)

    chainrule explain sgd --model "w*x + b" --loss "0.5*(h - y)**2" --at w=0.1 b=1 x=1 y=3 --lr 0.2 --steps 3

       h     L     ∂L/∂h  ∂L/∂w  ∂L/∂b  w     b
       1.1   1.80  −1.9   −1.9   −1.9   0.48  1.38
       ...
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import chainrule as cr

from . import fmt
from .parse import FormulaError, parse


@dataclass
class SGDTable:
    columns: list  # "h", "L", "∂L/∂h", "∂L/∂w", ..., "w", ...
    rows: list  # one list of arrays per step, in column order
    start: dict  # the parameters before the first step
    data: dict  # the data values
    model: str
    loss: str
    lr: float

    def column(self, name):
        k = self.columns.index(name)
        return [r[k] for r in self.rows]

    def text(self, digits: int = 2) -> str:
        """The table as the slide prints it, preceded by the model, the loss and the update rule."""
        params = list(self.start)
        h, L = self.columns[0], self.columns[1]
        head = [f"model  {h} = {self.model}", f"loss   {L} = {self.loss}",
                "step   " + ",  ".join(f"{p} ← {p} − {fmt.number(self.lr, 6)}·∂{L}/∂{p}" for p in params),
                "start  " + ",  ".join(f"{k} = {fmt.value(v, digits)}" for k, v in {**self.start, **self.data}.items()),
                ""]
        cells = [list(self.columns)] + [[fmt.value(v, digits) for v in r] for r in self.rows]
        widths = [max(len(row[c]) for row in cells) for c in range(len(self.columns))]
        body = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join(head + body).replace(" − ", f" {fmt.MINUS} ")


def _split(statement_source, default):
    """'h = w*x + b' -> the formula and its output name; 'w*x + b' -> the default name."""
    f = parse(statement_source)
    name = f.statements[-1][0] or default
    return f, name


def sgd_table(model: str, loss: str, at: dict, lr: float, steps: int, params=None) -> SGDTable:
    """Run ``steps`` steps of SGD on ``loss(model(...))`` starting at ``at`` (name -> value).

    Parameters are the model's variables named in ``params``; by default every variable of the model whose
    name does not start with x (so x, x0, x1 are data). Every other variable (y, x, ...) is data."""
    if not isinstance(steps, int) or steps < 1 or steps > 10_000:
        raise ValueError(f"--steps must be between 1 and 10000, got {steps!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not np.isfinite(lr):
        raise ValueError(f"--lr must be a finite number, got {lr!r}")
    fm, h = _split(model, "h")
    fl, L = _split(loss, "L")
    if h not in fl.inputs:
        raise FormulaError(f"the loss must use the model's output {h} (e.g. 0.5*({h} - y)**2)", syntax=False)
    if params is None:
        params = [v for v in fm.inputs if not v.startswith("x")]
    for p in params:
        if p not in fm.inputs:
            raise FormulaError(f"parameter {p!r} is not a variable of the model {model!r}", syntax=False)
    if not params:
        raise FormulaError("the model has no parameter to train; name them with --params w,b", syntax=False)
    needed = [v for v in fm.inputs + fl.inputs if v != h]
    missing = [v for v in needed if v not in at]
    if missing:
        raise FormulaError(f"no value for {', '.join(missing)}: give it with --at {missing[0]}=VALUE (in Python: "
                               f"{missing[0]}=VALUE)", syntax=False)
    unused = [k for k in at if k not in needed]
    if unused:
        raise FormulaError(f"--at gives {', '.join(unused)}, which neither the model nor the loss uses", syntax=False)
    values = {k: np.array(v, dtype=np.float64) for k, v in at.items()}
    start = {p: values[p].copy() for p in params}
    data = {k: v for k, v in values.items() if k not in params}
    rows = []
    for _ in range(steps):
        leaves = {p: cr.from_numpy(values[p].copy()).requires_grad_() for p in params}
        env = {**data, **leaves}
        hv, _, _ = fm.evaluate(env)
        hv.retain_grad()
        lv, _, _ = fl.evaluate({**env, h: hv})
        if lv.numel() != 1:
            raise FormulaError(f"the loss must be a single number, but it has shape {tuple(lv.shape)}: wrap it in "
                               f"mean(...) or sum(...)", syntax=False)
        lv.backward()
        grads = [leaves[p].grad.numpy() if leaves[p].grad is not None else np.zeros_like(values[p]) for p in params]
        with cr.no_grad():
            for p, g in zip(params, grads):
                values[p] = values[p] - lr * g  # p ← p − lr · ∂L/∂p
        rows.append([hv.detach().numpy().copy(), lv.detach().numpy().copy(), hv.grad.numpy().copy(), *grads,
                     *(values[p].copy() for p in params)])
    columns = [h, L, f"∂{L}/∂{h}", *(f"∂{L}/∂{p}" for p in params), *params]
    return SGDTable(columns, rows, start, data, model if "=" not in model else model.split("=", 1)[1].strip(),
                    loss if "=" not in loss else loss.split("=", 1)[1].strip(), lr)
