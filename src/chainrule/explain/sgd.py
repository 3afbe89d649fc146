"""The lecture's table of SGD steps, computed by the engine.

For a model h = model(params, data) and a loss L = loss(h, data), each row is one step of gradient descent:

    forward:   h, L
    backward:  ∂L/∂h, then ∂L/∂p = ∂L/∂h · ∂h/∂p for every parameter p
    update:    p ← p − lr · ∂L/∂p                (the columns w, b show the new values)

    chainrule explain sgd --model "w*x + b" --loss "0.5*(h - y)**2" --at w=0.1 b=1 x=1 y=3 --lr 0.2 --steps 3

       h     L     ∂L/∂h  ∂L/∂w  ∂L/∂b  w     b
       1.1   1.80  −1.9   −1.9   −1.9   0.48  1.38
       ...

The slides compute such a table by hand and carry each row's *rounded* parameters into the next step, so
their last row reads b = 1.75 where exact arithmetic gives 1.7448 (printed 1.74). ``carry_rounded=2`` (the
command's ``--carry-rounded``) does the same: every step starts from the parameters as the table prints them,
and ``note()`` says what exact arithmetic would have given. ``step_graph(k)`` is the circuit of step k (model
then loss) for the stepping page and the chain-rule lines (``explain.sgd_views``).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np

import chainrule as cr

from . import fmt
from .parse import Formula, FormulaError, parse


@dataclass
class SGDTable:
    columns: list  # "h", "L", "∂L/∂h", "∂L/∂w", ..., "w", ...
    rows: list  # one list of arrays per step, in column order
    start: dict  # the parameters before the first step
    data: dict  # the data values
    model: str
    loss: str
    lr: float
    carried: int | None = None  # decimals the parameters were rounded to between steps (None: exact)
    exact: dict | None = None  # with carried: the last parameters of the same steps in exact arithmetic
    formula: object = None  # the model and the loss as one Formula (model statements, h = ..., then L = ...)
    starts: list = field(default_factory=list)  # the parameters each step starts from

    @property
    def params(self):
        return list(self.start)

    def write_svg(self, path, digits: int = 2):
        """The table as an SVG picture, with a colour key and the note (see explain.sgd_views)."""
        from .sgd_views import write_svg

        return write_svg(self, path, digits)

    def write_html(self, path, digits: int = 2, title=None):
        """A page that fills the table in step by step: forward, backward, update (see explain.sgd_views)."""
        from .sgd_views import write_html

        return write_html(self, path, digits, title)

    def __str__(self):
        return self.text()

    def __repr__(self):
        from .notebook import sgd_repr

        return sgd_repr(self)

    def _repr_html_(self):
        """In a notebook: the stepping page of ``write_html``, inline (see explain.notebook)."""
        from .notebook import sgd_html

        return sgd_html(self)

    def _repr_svg_(self):
        """In a notebook: the table as the SVG of ``write_svg``."""
        from .sgd_views import to_svg

        return to_svg(self)

    def step_graph(self, k: int):
        """The circuit of step k (0-based): model then loss at the parameters the step starts from."""
        from . import build

        return build(self.formula, {**self.data, **self.starts[k]})

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
        note = self.note(digits)
        return "\n".join(head + body + (["", note] if note else [])).replace(" − ", f" {fmt.MINUS} ")

    def note(self, digits: int = 2) -> str:
        """With carried rounding: one paragraph on what exact arithmetic gives instead ('' otherwise)."""
        if self.carried is None or not self.rows:
            return ""
        last = dict(zip(self.params, self.rows[-1][-len(self.params):]))
        shown = ", ".join(f"{p} = {fmt.value(last[p], digits)}" for p in self.params)
        exact = " and ".join(f"{p} = {_exact(self.exact[p])} (printed {fmt.value(self.exact[p], digits)})"
                             for p in self.params)
        text = (f"note: rounded values carried, as on the slide: each step starts from the parameters as printed "
                f"({self.carried} decimals), so the last row shows {shown}. Carried exactly, the same "
                f"{len(self.rows)} steps end at {exact}.")
        return textwrap.fill(text, width=110, subsequent_indent="      ", break_on_hyphens=False)


def _exact(v) -> str:
    """Enough digits to see what rounding changed: 1.7448, [0.8448, 1.2]."""
    a = np.asarray(v, dtype=np.float64)
    one = [f"{float(x):.6g}".replace("-", fmt.MINUS) for x in a.ravel()]
    return one[0] if a.ndim == 0 else "[" + ", ".join(one) + "]"


def _split(statement_source, default):
    """'h = w*x + b' -> the formula and its output name; 'w*x + b' -> the default name."""
    f = parse(statement_source)
    name = f.statements[-1][0] or default
    return f, name


def sgd_table(model: str, loss: str, at: dict, lr: float, steps: int, params=None,
              carry_rounded: int | None = None) -> SGDTable:
    """Run ``steps`` steps of SGD on ``loss(model(...))`` starting at ``at`` (name -> value).

    Parameters are the model's variables named in ``params``; by default every variable of the model whose
    name does not start with x (so x, x0, x1 are data). Every other variable (y, x, ...) is data.
    ``carry_rounded=D``: round the parameters to D decimals after every step, as a table computed by hand
    does (see the module docstring); the exact run is kept for ``note()``."""
    if not isinstance(steps, int) or steps < 1 or steps > 10_000:
        raise ValueError(f"--steps must be between 1 and 10000, got {steps!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not np.isfinite(lr):
        raise ValueError(f"--lr must be a finite number, got {lr!r}")
    if carry_rounded is not None and (isinstance(carry_rounded, bool) or not isinstance(carry_rounded, int)
                                      or not 0 <= carry_rounded <= 12):
        raise ValueError(f"carry_rounded must be a number of decimals between 0 and 12, got {carry_rounded!r}")
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
    rows, starts, _ = _steps(fm, fl, h, data, start, lr, steps, carry_rounded)
    exact = None
    if carry_rounded is not None:
        _, _, exact = _steps(fm, fl, h, data, start, lr, steps, None)
    columns = [h, L, f"∂{L}/∂{h}", *(f"∂{L}/∂{p}" for p in params), *params]
    return SGDTable(columns, rows, start, data, model if "=" not in model else model.split("=", 1)[1].strip(),
                    loss if "=" not in loss else loss.split("=", 1)[1].strip(), lr, carry_rounded, exact,
                    _joined(fm, h, fl, L), starts)


def _steps(fm, fl, h, data, start, lr, steps, carry):
    """The rows of ``steps`` SGD steps, the parameters each starts from, and the last parameters."""
    values = {p: v.copy() for p, v in start.items()}
    rows, starts = [], []
    for _ in range(steps):
        starts.append({p: v.copy() for p, v in values.items()})
        leaves = {p: cr.from_numpy(v.copy()).requires_grad_() for p, v in values.items()}
        env = {**data, **leaves}
        hv, _, _ = fm.evaluate(env)
        hv.retain_grad()
        lv, _, _ = fl.evaluate({**env, h: hv})
        if lv.numel() != 1:
            raise FormulaError(f"the loss must be a single number, but it has shape {tuple(lv.shape)}: wrap it in "
                               f"mean(...) or sum(...)", syntax=False)
        lv.backward()
        grads = [leaves[p].grad.numpy() if leaves[p].grad is not None else np.zeros_like(values[p]) for p in values]
        for p, g in zip(list(values), grads):
            values[p] = values[p] - lr * g  # p ← p − lr · ∂L/∂p
            if carry is not None:  # the next step starts from the value as printed
                values[p] = np.vectorize(lambda v: round(float(v), carry), otypes=[np.float64])(values[p])
        dh = hv.grad.numpy().copy() if hv.grad is not None else np.zeros_like(hv.detach().numpy())
        rows.append([hv.detach().numpy().copy(), lv.detach().numpy().copy(), dh, *grads,
                     *(v.copy() for v in values.values())])
    return rows, starts, values


def _joined(fm, h, fl, L):
    """The model and the loss as one formula, its output named h and the loss's named L: one circuit a step."""
    statements = fm.statements[:-1] + [(h, fm.statements[-1][1])] + fl.statements[:-1] + [(L, fl.statements[-1][1])]
    labels = fm.labels[:-1] + [h] + fl.labels[:-1] + [L]
    inputs = fm.inputs + [v for v in fl.inputs if v != h and v not in fm.inputs]
    return Formula(f"{h} = ...; {L} = ...", statements, inputs, L, labels)
