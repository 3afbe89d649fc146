"""``chainrule explain``: backprop made visible, from the command line.

    chainrule explain "(x + y) * z" --at x=-2 y=5 z=-4 [--svg F [--graphviz]] [--html F] [--open] [--check]
    chainrule explain sgd --model "w*x + b" --loss "0.5*(h - y)**2" --at w=0.1 b=1 x=1 y=3 --lr 0.2 --steps 3
                      [--carry-rounded] [--svg F] [--html F] [--open]
    chainrule explain model --run DIR

``add_parser(subparsers)`` registers the subcommand with the main CLI (chainrule/cli.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

EXAMPLES = """\
forms:
  chainrule explain EXPR --at NAME=VALUE ...   the circuit of a formula, forward then backward
  chainrule explain sgd --model M --loss L --at ... --lr LR --steps N
                                               the lecture's table of SGD steps
  chainrule explain model --run DIR            layer-level backprop for a run saved by `chainrule train`

examples:
  chainrule explain "(x + y) * z" --at x=-2 y=5 z=-4
  chainrule explain "q = x + y; f = q * z" --at x=-2 y=5 z=-4 --html circuit.html --open
  chainrule explain "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))" --at w0=2 x0=-1 w1=-3 x1=-2 w2=-3 --svg neuron.svg
  chainrule explain "sigmoid(w*x)" --at w=1,2 x=0.5,-1 --check
  chainrule explain sgd --model "w*x + b" --loss "0.5*(h - y)**2" --at w=0.1 b=1 x=1 y=3 --lr 0.2 --steps 3
  chainrule explain sgd --model "w*x + b" --loss "0.5*(h - y)**2" --at w=0.1 b=1 x=1 y=3 --lr 0.2 --steps 3
      --carry-rounded --html sgd.html --svg sgd.svg    (the slide's rounding; the table as a page and a picture)

limits: a formula has at most 2000 characters and 1000 operations, and nests parentheses or function calls
at most 60 levels deep; --svg always finishes (with --graphviz, dot is stopped after 20 s).

A formula that starts with a minus sign needs `--` before it: chainrule explain --at x=2 -- "-x*x".
"""

_SGD_ONLY = ("model", "loss", "lr", "params", "carry_rounded")
_FORMULA_ONLY = ("check", "graphviz")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "explain", help="backprop made visible: a formula's circuit with values and gradients, SGD steps, layers",
        description="Show the computational graph of a formula with every forward value and every gradient, "
        "gate by gate, in the words of the lecture (or an SGD table, or layer-level gradients of a trained model).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("expr", metavar="EXPR", help="a formula such as '(x + y) * z' or 'q = x + y; f = q * z', "
                   "or the word sgd or model (see the forms below)")
    p.add_argument("--at", nargs="+", default=[], metavar="NAME=VALUE",
                   help="values of the variables: x=-2 (a number) or w=1,2,3 (a vector)")
    p.add_argument("--svg", metavar="FILE", help="also draw the circuit (or the SGD table) as SVG, with a colour key")
    p.add_argument("--graphviz", action="store_true", help="draw the --svg with Graphviz's dot (package graphviz) "
                   "instead of chainrule's own layout; dot is stopped after 20 s")
    p.add_argument("--html", metavar="FILE", help="also write a page that steps through forward and backward "
                   "(for sgd: through the table, step by step)")
    p.add_argument("--open", action="store_true", help="open the HTML page (or the SVG) in the browser")
    p.add_argument("--check", action="store_true", help="compare every gradient with a central finite difference")
    p.add_argument("--digits", type=int, default=2, help="decimals to round to (default 2, as the slides)")
    g = p.add_argument_group("sgd")
    g.add_argument("--model", metavar="FORMULA", help="the model, e.g. 'w*x + b' (its value is called h)")
    g.add_argument("--loss", metavar="FORMULA", help="the loss of h, e.g. '0.5*(h - y)**2'")
    g.add_argument("--lr", type=float, help="learning rate (default 0.1)")
    g.add_argument("--steps", type=int, default=3, help="number of SGD steps (default 3)")
    g.add_argument("--params", metavar="P,Q", help="the parameters to train (default: the model's variables "
                   "except those named x...)")
    g.add_argument("--carry-rounded", action="store_true", help="carry the parameters from step to step rounded "
                   "to --digits decimals, as a table computed by hand (the slide) does; a note gives the exact "
                   "values")
    m = p.add_argument_group("model")
    m.add_argument("--run", metavar="DIR", help="a run directory saved by `chainrule train`")
    m.add_argument("--batch", type=int, default=64, help="examples in the batch to backpropagate (default 64)")
    p.set_defaults(func=run)
    return p


def _given(args, names):
    return [n for n in names if getattr(args, n) not in (None, False)]


def run(args) -> int:
    from .parse import FormulaError

    try:
        if not 0 <= args.digits <= 12:
            raise ValueError(f"--digits must be between 0 and 12, got {args.digits}")
        if args.expr == "sgd":
            return _sgd(args)
        if args.expr == "model":
            return _model(args)
        return _formula(args)
    except (FormulaError, ValueError, FileNotFoundError) as err:
        print(f"chainrule explain: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # --svg/--html naming a directory, a file we may not write, a full disk
        print(f"chainrule explain: error: could not write {err.filename or 'the file'}: {err.strerror or err}",
              file=sys.stderr)
        return 2


def _refuse(args, names, mode):
    extra = _given(args, names)
    if extra:
        raise ValueError(f"--{extra[0].replace('_', '-')} does not apply to {mode}")


def _out(text):
    from .text import safe_for

    print(safe_for(sys.stdout, text))


def _check_dirs(args):
    """Before any work: a typo in a directory should not cost the run."""
    for flag in ("svg", "html"):
        path = getattr(args, flag)
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise ValueError(f"--{flag} {path}: the directory {os.path.dirname(os.path.abspath(path))!r} does "
                             f"not exist")


def _formula(args) -> int:
    from . import build
    from .parse import FormulaError, parse, parse_assignments
    from .text import render

    _refuse(args, _SGD_ONLY + ("run",), "a formula (they belong to `chainrule explain sgd` / `model`)")
    if args.graphviz and not args.svg:
        raise ValueError("--graphviz chooses how --svg is drawn: give --svg FILE too")
    f = parse(args.expr)
    values = parse_assignments(args.at)
    unused = [k for k in values if k not in f.inputs]
    if unused:
        raise FormulaError(f"--at gives {', '.join(unused)}, which the formula does not use (it uses "
                           f"{', '.join(f.inputs)})", syntax=False)
    _check_dirs(args)
    with warnings.catch_warnings():  # NumPy's "invalid value in log" would point into ops.py; see _nan_note
        warnings.simplefilter("ignore", RuntimeWarning)
        g = build(f, values)
        rows = None
        if args.check:
            from .check import finite_differences

            rows = finite_differences(f, values, g)
    _out(render(g, args.digits, rows))
    note = _nan_note(g)
    if note:
        _out("\n" + note)
    status = 0 if rows is None or all(r["ok"] for r in rows) else 1
    opened = None
    if args.svg:
        from .dot import GraphvizError
        from .svg import write_svg

        try:
            opened = write_svg(g, args.svg, args.digits, graphviz=args.graphviz)
            print(f"\nwrote {args.svg}")
        except GraphvizError as err:
            print(f"chainrule explain: {err}", file=sys.stderr)
            status = status or 1
    if args.html or args.open:
        from .html import write_html

        path = args.html or _temporary_page()
        opened = write_html(g, path, args.digits, title=f"Backprop, step by step: {args.expr}")
        print(f"\nwrote {path}")
    _open(args, opened)
    return status


def _temporary_page():
    import tempfile

    return tempfile.NamedTemporaryFile(prefix="chainrule-explain-", suffix=".html", delete=False).name


def _open(args, opened):
    if args.open and opened is not None:
        import webbrowser

        webbrowser.open(opened.resolve().as_uri())


_DOMAIN = {  # why a gate's value can stop being a finite real number
    "LogBackward0": "log x is defined only for x > 0, and log 0 = −∞",
    "PowBackward0": "a power: 1/x needs x ≠ 0, √x needs x ≥ 0, and a negative base needs a whole exponent",
    "ExpBackward0": "exp overflows beyond x ≈ 709",
}


def _nan_note(g):
    """One line naming the first gate whose value (else local derivative) is not a finite number, and why."""
    import numpy as np

    def bad(v):
        return v is not None and not isinstance(v, tuple) and not np.isfinite(v).all()

    for n in g.gates:
        formula = n.template.format(*[g.nodes[i].name for i in n.inputs]) if n.template else n.op
        if bad(n.value):
            why = _DOMAIN.get(n.engine_op, "")
            return (f"note: the value of {n.name} = {formula} is {'nan' if np.isnan(n.value).any() else 'infinite'}"
                    + (f": {why}" if why else "") + ". The gradients that flow through it are meaningless too")
        if any(bad(loc) for loc in n.local):
            return (f"note: a local derivative of {n.name} = {formula} is not finite here (e.g. the slope of √x "
                    f"at 0), so the gradients that flow back through it are not finite either")
    return ""


def _sgd(args) -> int:
    from .parse import parse_assignments
    from .sgd import sgd_table

    _refuse(args, _FORMULA_ONLY + ("run",), "`chainrule explain sgd`")
    if not args.model or not args.loss:
        raise ValueError("`chainrule explain sgd` needs --model and --loss, e.g. --model 'w*x + b' "
                         "--loss '0.5*(h - y)**2'")
    _check_dirs(args)
    params = [p.strip() for p in args.params.split(",") if p.strip()] if args.params else None
    table = sgd_table(args.model, args.loss, parse_assignments(args.at), 0.1 if args.lr is None else args.lr,
                      args.steps, params, carry_rounded=args.digits if args.carry_rounded else None)
    _out(table.text(args.digits))
    opened = None
    if args.svg:
        opened = table.write_svg(args.svg, args.digits)
        print(f"\nwrote {args.svg}")
    if args.html or args.open:
        path = args.html or _temporary_page()
        opened = table.write_html(path, args.digits, title=f"SGD, step by step: h = {table.model}")
        print(f"\nwrote {path}")
    _open(args, opened)
    return 0


def _model(args) -> int:
    from .layers import explain_run

    _refuse(args, _FORMULA_ONLY + _SGD_ONLY, "`chainrule explain model`")
    if not args.run:
        raise ValueError("`chainrule explain model` needs --run DIR (a directory saved by `chainrule train`)")
    _out(explain_run(args.run, batch=args.batch, digits=args.digits))
    return 0
