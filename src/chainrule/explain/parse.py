"""Formulas such as ``(x + y) * z`` or ``q = x + y; f = q * z``, parsed with ``ast`` and a whitelist.

Nothing is ever passed to ``eval``: the formula is parsed into Python's syntax tree, every node is checked
against a short whitelist (numbers, names, + − * / **, unary minus, calls of a few known functions, named
gates), and the tree is then evaluated by this module with chainrule's public operators and functions
(``a - b``, ``chainrule.relu``, ``chainrule.mean``...), so the graph shown is the one the engine records for
the same expression in Python: its nodes are the gates. Anything else —
``__import__('os')``, attribute access, subscripts, lambdas, comprehensions, strings, unknown functions —
is refused with a message saying what is allowed.
"""

from __future__ import annotations

import ast
import json
import operator
import re

import numpy as np

import chainrule as cr

MAX_LENGTH = 2000  # characters
MAX_OPERATIONS = 1000  # operators and function calls (each becomes one gate or a few)
MAX_NESTING = 60  # parentheses and function calls inside one another (a flat sum a + b + c + ... is level 0)

# name -> number of arguments; each is chainrule's function of that name (max, min: maximum, minimum)
FUNCTIONS = {"exp": 1, "log": 1, "sqrt": 1, "sigmoid": 1, "tanh": 1, "relu": 1, "sin": 1, "cos": 1, "abs": 1,
             "max": 2, "min": 2, "sum": 1, "mean": 1}
_PUBLIC_NAME = {"max": "maximum", "min": "minimum"}

ALLOWED = (
    "A formula may use: numbers; variable names (given values with --at x=-2 y=5, or x=1,2,3 for a vector); "
    "+ - * / ** and unary minus; parentheses; the functions " + ", ".join(FUNCTIONS) + " (max and min take "
    "two arguments); and named gates, one per statement, separated by ';' or new lines, e.g. "
    "'q = x + y; f = q * z'."
)


class FormulaError(ValueError):
    """The formula is not one chainrule explain understands; the message says why and what is allowed."""

    def __init__(self, why, syntax=True):
        super().__init__(f"{why}. {ALLOWED}" if syntax else why)
        self.why = why


_PRIMES = ("", "\u2032", "\u2033", "\u2034")  # x, x′, x″, x‴ (then x_4, ...)
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED = {  # what a node is, for the refusal message "... is not allowed"
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing or slicing (a[i])",
    ast.Lambda: "a lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression", ast.Compare: "a comparison",
    ast.BoolOp: "and/or", ast.IfExp: "a conditional expression (a if c else b)", ast.List: "a list",
    ast.Tuple: "a tuple", ast.Dict: "a dictionary", ast.Set: "a set", ast.Starred: "a *argument",
    ast.JoinedStr: "a string", ast.NamedExpr: "the := operator", ast.Await: "await", ast.Yield: "yield",
    ast.Import: "import", ast.ImportFrom: "import", ast.FunctionDef: "a function definition",
    ast.ClassDef: "a class definition", ast.AugAssign: "augmented assignment (+=)",
}


class Formula:
    """A checked formula: ``statements`` is a list of (name or None, expression); ``inputs`` are the names
    it needs values for, in order of first use; ``output`` is the name of its result (the last statement).

    ``labels`` are the statements' names as the explanation shows them: a statement that assigns a name again
    (``x = x * 2`` where x is an input, or a gate named twice) gets a prime, x′ (then x″), so the input keeps
    its name and every value in the circuit has one name of its own."""

    def __init__(self, source, statements, inputs, output, labels=None):
        self.source, self.statements, self.inputs, self.output = source, statements, inputs, output
        self.labels = labels if labels is not None else [name for name, _ in statements]

    @property
    def gate_names(self):
        return [label for label in self.labels if label]

    @property
    def renamed(self):
        """{label: name} for the statements shown under a primed name (x′ for a reassigned x)."""
        return {label: name for (name, _), label in zip(self.statements, self.labels) if name and label != name}

    def evaluate(self, values, nudge=None):
        """Run the formula on the engine. ``values``: name -> Tensor (or number/array, a constant).

        Returns (output, named, gates): the output Tensor, {name: Tensor} for named gates, and every gate —
        each node the engine recorded — in the order the formula creates them. ``nudge=(k, delta)`` adds
        ``delta`` to gate k's result (for the finite-difference check of an intermediate gradient; a gate
        inside a composite such as the −b of a − b is nudged by replaying the rest of it, which needs the
        formula to run inside ``chainrule.explain.record()``)."""
        missing = [n for n in self.inputs if n not in values]
        if missing:
            raise FormulaError(f"no value for {', '.join(missing)}: give it with --at {missing[0]}=VALUE (in Python: "
                               f"{missing[0]}=VALUE)", syntax=False)
        env = dict(values)
        ev = _Evaluator(env, nudge)
        named = {}
        result = None
        for (name, expr), label in zip(self.statements, self.labels):
            result = ev.eval(expr)
            if name:
                env[name] = named[label] = result
        if not isinstance(result, cr.Tensor):
            raise FormulaError("the formula does not depend on any variable: there is nothing to differentiate",
                               syntax=False)
        return result, named, ev.gates


def parse(source: str) -> Formula:
    """Check ``source`` against the whitelist and return a Formula (never evaluates Python code)."""
    if not isinstance(source, str):
        raise TypeError(f"parse() expects a string, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(source)} characters long; at most {MAX_LENGTH} are allowed")
    # the slides' notation: − for minus, · or × for times
    text = source.replace("\u2212", "-").replace("·", "*").replace("×", "*").replace("⋅", "*")
    text = text.replace("\n", ";")
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as err:
        hint = " (write products explicitly: 2*x, not 2x)" if re.search(r"(?<![\w.])\d+\.?\d*[A-Za-z_(]", text) else ""
        raise FormulaError(f"could not parse the formula {source!r}: {err.msg} at column {err.offset}{hint}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as err:
        raise FormulaError(f"could not parse the formula: {type(err).__name__}: {err}") from None
    statements, labels, inputs, defined, versions = [], [], [], set(), {}
    operations = 0
    for st in tree.body:
        if isinstance(st, ast.Expr):
            name, expr = None, st.value
        elif isinstance(st, ast.Assign):
            if len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
                raise FormulaError("a named gate is written 'name = expression' with one plain name on the left")
            name, expr = st.targets[0].id, st.value
            _check_name(name)
            if name in FUNCTIONS:
                raise FormulaError(f"'{name}' is a function; choose another name for the gate")
        else:
            raise FormulaError(f"{_REFUSED.get(type(st), 'the statement ' + type(st).__name__)} is not allowed")
        if name in inputs and name not in defined:
            raise FormulaError(f"'{name}' is read as an input by an earlier statement and assigned here: statements "
                               f"run in order, so that statement would not see this gate; define {name} before "
                               f"using it, or give this gate another name")
        operations += _check_expr(expr)
        if operations > MAX_OPERATIONS:
            raise FormulaError(f"the formula has more than {MAX_OPERATIONS} operations (operators and function "
                               f"calls); split it into smaller formulas", syntax=False)
        for n in _variables(expr):
            if n not in defined and n not in inputs:
                inputs.append(n)
        label = name
        if name:  # a name assigned again (an input, or an earlier gate) shows as name′, name″: one name per value
            earlier = versions.get(name, 1 if name in inputs else 0)
            label = name + _PRIMES[earlier] if earlier < len(_PRIMES) else f"{name}_{earlier}"
            versions[name] = earlier + 1
            defined.add(name)
        statements.append((name, expr))
        labels.append(label)
    if not statements:
        raise FormulaError("the formula is empty")
    shown = set(inputs) | {label for label in labels if label}
    output = labels[-1] or ("f" if "f" not in shown else "out" if "out" not in shown else "f\u2032")
    return Formula(source, statements, inputs, output, labels)


def _variables(expr):
    """The variable names of a checked expression, left to right (function names are not variables)."""
    out, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            out.append(node.id)
            continue
        children = node.args if isinstance(node, ast.Call) else list(ast.iter_child_nodes(node))
        stack.extend(reversed(children))
    return out


def _check_name(name):
    if name.startswith("_"):
        raise FormulaError(f"names starting with '_' are not allowed ({name!r})")


_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_UNARY_PRECEDENCE = 3


def _nesting(parent, child, position):
    """1 if ``child`` sits inside parentheses or a call's brackets of its own under ``parent``, else 0: the
    operands of a chain such as a + b − c or a·b/c are on the chain's level, as a reader sees it."""
    if isinstance(parent, ast.Call):
        return 1
    mine = (_PRECEDENCE[type(child.op)] if isinstance(child, ast.BinOp)
            else _UNARY_PRECEDENCE if isinstance(child, ast.UnaryOp) else None)
    if mine is None:
        return 0
    theirs = _UNARY_PRECEDENCE if isinstance(parent, ast.UnaryOp) else _PRECEDENCE[type(parent.op)]
    if mine != theirs:
        return int(mine < theirs)
    if isinstance(child, ast.UnaryOp):  # - -x
        return 0
    right_assoc = isinstance(parent.op, ast.Pow)  # x**y**z is x**(y**z)
    return int(position == (0 if right_assoc else 1))


def _check_expr(expr) -> int:
    """Refuse everything outside the whitelist, naming what was found, and anything nested more than
    MAX_NESTING deep; return the number of operations (operators and calls). Iterative: a flat sum of a
    thousand terms is a thousand levels deep in Python's syntax tree."""
    operations, stack = 0, [(expr, 0)]
    while stack:
        node, level = stack.pop()
        if level > MAX_NESTING:
            raise FormulaError(f"the formula nests parentheses or function calls more than {MAX_NESTING} levels "
                               f"deep (as in sigmoid(sigmoid(...))); name some inner results as gates "
                               f"(q = ...; f = sigmoid(q)) to flatten it")
        children = _check_node(node)
        operations += bool(children)
        stack.extend((c, level + _nesting(node, c, k)) for k, c in enumerate(children))
    return operations


def _check_node(node):
    """Check one node of an expression against the whitelist; return its operands (to check next)."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"only numbers are allowed as constants, not {type(node.value).__name__} "
                               f"{node.value!r}")
        try:
            float(node.value)
        except OverflowError:
            raise FormulaError("a number in the formula is too large") from None
        return []
    if isinstance(node, ast.Name):
        _check_name(node.id)
        if node.id in FUNCTIONS:
            raise FormulaError(f"'{node.id}' is a function: call it, e.g. {node.id}(x)")
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            hint = " (for a power write x**2: ^ is not a power in Python)" if isinstance(node.op, ast.BitXor) else ""
            raise FormulaError(f"the operator {type(node.op).__name__} is not allowed{hint}")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise FormulaError(f"the unary operator {type(node.op).__name__} is not allowed")
        return [node.operand]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise FormulaError("only calls of the known functions by name are allowed (no a.b(...), no f(x)(y))")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise FormulaError(f"unknown function {fname!r}")
        if node.keywords:
            raise FormulaError(f"{fname}() takes no keyword arguments")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError("*arguments are not allowed")
        if len(node.args) != FUNCTIONS[fname]:
            raise FormulaError(f"{fname}() takes {FUNCTIONS[fname]} argument(s), got {len(node.args)}")
        return list(node.args)
    raise FormulaError(f"{_REFUSED.get(type(node), type(node).__name__)} is not allowed in a formula")


_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


class _Evaluator:
    """Evaluates a checked expression with chainrule's public operators and functions. Constants stay NumPy
    values (folded, as the engine would: an op on constants only records no node); each call with a Tensor
    operand adds the nodes the engine recorded for it to ``gates``, read from the graph itself
    (the engine's edges behind ``grad_fn``)."""

    def __init__(self, env, nudge):
        self.env, self.nudge, self.gates = env, nudge, []
        # nodes behind the values given (another formula's output, as in sgd) are not this formula's gates
        self._seen = {v.grad_fn for v in env.values() if isinstance(v, cr.Tensor) and v.grad_fn is not None}

    def eval(self, expr):
        """The value of a checked expression: operands left to right, then the operation (iterative, so a
        flat sum of a thousand terms needs no deep recursion)."""
        stack, results = [(expr, False)], []
        while stack:
            node, operands_done = stack.pop()
            if isinstance(node, ast.Constant):
                results.append(np.float64(node.value))
            elif isinstance(node, ast.Name):
                v = self.env[node.id]
                results.append(v if isinstance(v, cr.Tensor) else np.asarray(v, dtype=np.float64))
            elif not operands_done:
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(_operands(node)))
            else:
                n = len(_operands(node))
                args = results[-n:]
                del results[-n:]
                results.append(self._apply(node, args))
        return results[0]

    def _apply(self, node, args):
        if isinstance(node, ast.UnaryOp):
            return args[0] if isinstance(node.op, ast.UAdd) else self.call(operator.neg, args[0])
        if isinstance(node, ast.BinOp):
            a, b = args
            op = _BINOPS[type(node.op)]
            if op == "/" and isinstance(b, cr.Tensor) and not isinstance(a, cr.Tensor) and np.all(a == 1):
                return self.call(cr.reciprocal, b)  # the lecture's 1/x gate, on its own (1 / x adds a ·1 gate)
            if op == "/" and isinstance(b, cr.Tensor) and not isinstance(a, cr.Tensor) and np.ndim(a) == 0:
                return self.call(lambda t: float(a) / t, b)  # a number over x: as Python's 2 / x computes it
            return self.call(_BINARY[op], a, b)
        fname = node.func.id
        return self.call(getattr(cr, _PUBLIC_NAME.get(fname, fname)), *args)

    def call(self, fn, *args):
        if not any(isinstance(a, cr.Tensor) for a in args):  # constants only: fold, no gate
            with np.errstate(all="ignore"), cr.no_grad():
                return fn(*map(_constant, args)).numpy()
        out = fn(*(a if isinstance(a, cr.Tensor) else _constant(a) for a in args))
        new = self._new_nodes(out.grad_fn)
        first = len(self.gates)
        self.gates += new
        if self.nudge is not None and first <= self.nudge[0] < len(self.gates):
            j, delta = self.nudge[0] - first, self.nudge[1]
            value = out.detach().numpy() + delta if j == len(new) - 1 else _nudged(new, j, delta)
            out = cr.from_numpy(np.asarray(value))
        return out

    def _new_nodes(self, root):
        """The engine nodes behind ``root`` that earlier calls did not make, inputs before their users."""
        from .graph import graph_edges

        order, stack = [], [(root, False)] if root is not None else []
        while stack:
            fn, done = stack.pop()
            if done:
                order.append(fn)
            elif fn not in self._seen:
                self._seen.add(fn)
                stack.append((fn, True))
                stack += [(n, False) for n, _ in reversed(graph_edges(fn)) if n is not None
                          and not isinstance(n, cr.Tensor)]
        return order


def _operands(node):
    return [node.operand] if isinstance(node, ast.UnaryOp) else [node.left, node.right] if isinstance(
        node, ast.BinOp) else node.args


def _constant(a):
    return cr.from_numpy(np.asarray(a, dtype=np.float64))


def _nudged(nodes, j, delta):
    """The output of the last of ``nodes`` (one call's nodes, in order) with node j's output moved by delta:
    the nodes after j run again on their recorded inputs (``graph.replay``)."""
    from .graph import graph_edges, recorded_output, replay

    values = {nodes[j]: recorded_output(nodes[j]) + delta}
    for fn in nodes[j + 1:]:
        values[fn] = replay(fn, {pos: values[n] for pos, (n, _) in enumerate(graph_edges(fn)) if n in values})
    return values[nodes[-1]]


def parse_value(name, text):
    """One --at value: a number (-2, 1e-3), a comma list (1,2,3) or a JSON list ([[1, 2], [3, 4]])."""
    s = text.strip().replace("\u2212", "-")
    try:
        if s.startswith("["):
            v = np.asarray(json.loads(s), dtype=np.float64)
        elif "," in s:
            v = np.asarray([float(p) for p in s.split(",") if p.strip()], dtype=np.float64)
        else:
            v = np.asarray(float(s), dtype=np.float64)
    except (ValueError, TypeError, RecursionError, json.JSONDecodeError):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise FormulaError(f"--at {name}={shown}: this is not a number (write {name}=-2, or {name}=1,2,3 "
                           f"for a vector, or {name}=[[1,2],[3,4]])", syntax=False) from None
    if not np.isfinite(v).all():
        raise FormulaError(f"--at {name}=...: values must be finite numbers", syntax=False)
    return v


def parse_assignments(items):
    """['x=-2', 'y=5'] -> {'x': array(-2.), 'y': array(5.)}, refusing malformed items by name."""
    out = {}
    for item in items:
        name, eq, val = item.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise FormulaError(f"--at expects NAME=VALUE items such as x=-2, got {item!r}", syntax=False)
        _check_name(name)
        out[name] = parse_value(name, val)
    return out
