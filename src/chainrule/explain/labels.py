"""How a gate is written, as the slides write it: its label ("+", "·(−1)", "1/x", "relu"), the gate as a formula
over its inputs, and each local derivative ∂out/∂in as a formula — read from the engine node's name.

``{i}`` in a template stands for input i; scalar constants are written into the label ("+1" rather than a
wire from a constant 1), as the lectures draw them.
"""

from __future__ import annotations

import numpy as np

from . import fmt


def _scalar_const(x, e):
    a = np.asarray(x)
    return e is None and a.size == 1 and a.dtype != bool


def _paren(s):
    return f"({s})" if s.startswith(fmt.MINUS) else s


def describe(fn, ins, edges, engine_op: bool):
    """(label, template, local-derivative templates, positions of folded constants) of one gate.

    Templates use {i} for input i. Scalar constants are written into the label and the template, as the
    slides write the "+1" and "·(−1)" gates."""
    n = len(ins)
    const = [_scalar_const(x, edges[i]) for i, x in enumerate(ins)]
    c = [fmt.number(np.asarray(x).reshape(()).item()) if const[i] else None for i, x in enumerate(ins)]
    generic = ", ".join(f"{{{i}}}" for i in range(n))
    kind = fn.op_name()[: -len("Backward0")] if engine_op else None  # "Add", "Mul", ... for the engine's own
    if kind == "Add" and n == 2:
        if any(const) and not all(const):
            j = 0 if const[0] else 1
            i = 1 - j
            label = ("+" + c[j]) if not c[j].startswith(fmt.MINUS) else c[j]
            if j == 1:
                tpl = f"{{0}} + {c[1]}" if not c[1].startswith(fmt.MINUS) else f"{{0}} {fmt.MINUS} {c[1][1:]}"
            else:
                tpl = f"{c[0]} + {{1}}"
            loc = [None, None]
            loc[i] = "1"
            return label, tpl, loc, {j}
        return "+", "{0} + {1}", ["1", "1"], set()
    if kind == "Mul" and n == 2:
        if any(const) and not all(const):
            j = 0 if const[0] else 1
            i = 1 - j
            label = "·" + _paren(c[j])
            tpl = f"{{0}} · {_paren(c[1])}" if j == 1 else f"{c[0]} · {{1}}"
            loc = [None, None]
            loc[i] = c[j]
            return label, tpl, loc, {j}
        return "·", "{0} · {1}", ["{1}", "{0}"], set()
    if kind == "Div" and n == 2:  # a / b: one rounding, one gate (DivBackward0, as torch)
        if const[1] and not const[0]:
            return f"/{_paren(c[1])}", f"{{0}} / {_paren(c[1])}", [f"1/{_paren(c[1])}", None], {1}
        if const[0] and not const[1]:
            return f"{c[0]}/x", f"{c[0]} / {{1}}", [None, f"{fmt.MINUS}{_paren(c[0])}/{{1}}²"], {0}
        return "/", "{0} / {1}", ["1/{1}", f"{fmt.MINUS}{{0}}/{{1}}²"], set()
    if kind == "Neg":
        return f"·({fmt.MINUS}1)", f"{{0}} · ({fmt.MINUS}1)", [f"{fmt.MINUS}1"], set()
    if kind == "Pow" and n == 2:
        return _describe_pow(ins, const, c)
    unary = {"Exp": ("exp", "exp({0})", "exp({0})"), "Log": ("log", "log({0})", "1/{0}"),
             "Sin": ("sin", "sin({0})", "cos({0})"), "Cos": ("cos", "cos({0})", f"{fmt.MINUS}sin({{0}})"),
             "Tanh": ("tanh", "tanh({0})", f"1 {fmt.MINUS} tanh({{0}})²"),
             "Sigmoid": ("σ", "σ({0})", f"σ({{0}})·(1 {fmt.MINUS} σ({{0}}))"),
             "Relu": ("relu", "relu({0})", "1 if {0} > 0 else 0"),
             "Abs": ("|x|", "|{0}|", "sign({0})"), "Clone": ("clone", "{0}", "1")}
    if kind in unary:
        label, tpl, loc = unary[kind]
        return label, tpl, [loc], set()
    if kind in ("Maximum", "Minimum"):
        w, cmp = ("max", ">") if kind == "Maximum" else ("min", "<")
        loc = [f"1 if {{0}} {cmp} {{1}} else 0", f"1 if {{1}} {cmp} {{0}} else 0"]
        args = [c[i] if const[i] else f"{{{i}}}" for i in range(2)]
        return w, f"{w}({args[0]}, {args[1]})", [None if const[i] else loc[i] for i in range(2)], {
            i for i in range(2) if const[i]}
    if kind == "Where" and n == 3:
        cond, a, b = (np.asarray(x) for x in ins)
        if (edges[0] is None and edges[2] is None and edges[1] is not None and const[2] and float(b) == 0
                and cond.shape == a.shape and np.array_equal(cond, a > 0)):
            return "relu", "relu({1})", [None, "1 if {1} > 0 else 0", None], {0, 2}
        return "where", "where({0}, {1}, {2})", [None, "{0}", "not {0}"], set()
    if kind == "Sum":
        return "Σ", "Σ {0}", ["1"], set()
    if kind == "MatMul":
        return "@", "{0} @ {1}", ["{1}ᵀ", "{0}ᵀ"], set()
    cls = type(fn).__name__
    label = kind.lower() if kind is not None else cls[: -len("Backward0")] if cls.endswith("Backward0") else cls
    return label, f"{label}({generic})", [None] * n, set()


def local_numbers(fn, engine_op: bool, local_templates, out):
    """Per input, how its local derivative is computed with numbers: (template, extra values) or None.

    The template's slots {0}, {1}, ... are the gate's inputs and then the extra values, so the slides' sigmoid
    gate reads σ(t)·(1 − σ(t)) = 0.73·0.27 and tanh 1 − tanh(t)² = 1 − 0.76²: both from the gate's own output,
    as the engine computes them. Other gates put their input values into their local-derivative formula
    (exp(t) = exp(−1), −1/t² = −1/1.37²)."""
    kind = fn.op_name()[: -len("Backward0")] if engine_op else None
    n = len(local_templates)
    if kind == "Sigmoid" and out is not None:
        o = np.asarray(out, dtype=np.float64)
        return [(f"{{{n}}}·{{{n + 1}}}", [o, 1 - o])]
    if kind == "Tanh" and out is not None:
        return [(f"1 {fmt.MINUS} {{{n}}}²", [np.asarray(out, dtype=np.float64)])]
    return [(t, []) if t else None for t in local_templates]


def _describe_pow(ins, const, c):
    if const[1] and not const[0]:
        p = float(np.asarray(ins[1]))
        special = {-1.0: ("1/x", "1/{0}", f"{fmt.MINUS}1/{{0}}²"), 2.0: ("x²", "{0}²", "2·{0}"),
                   3.0: ("x³", "{0}³", "3·{0}²"), 0.5: ("√x", "√{0}", "1/(2·√{0})"),
                   -0.5: ("1/√x", "1/√{0}", f"{fmt.MINUS}1/(2·{{0}}^1.5)")}
        if p in special:
            label, tpl, loc = special[p]
            return label, tpl, [loc, None], {1}
        return f"x^{_paren(c[1])}", f"{{0}}^{_paren(c[1])}", [f"{c[1]}·{{0}}^{_paren(fmt.number(p - 1))}", None], {1}
    if const[0] and not const[1]:
        return f"{c[0]}^x", f"{_paren(c[0])}^{{1}}", [None, f"{_paren(c[0])}^{{1}}·ln {_paren(c[0])}"], {0}
    return "^", "{0}^{1}", [f"{{1}}·{{0}}^({{1}} {fmt.MINUS} 1)", "{0}^{1}·ln {0}"], set()
