"""`chainrule explain` never prints a traceback for any input within its limits: hypothesis writes formulas
(operators, functions, named gates that reassign inputs, constants from 0 to 1e300, vectors of clashing
shapes), formulas at the limits (long chains of statements, flat sums of hundreds of terms, nesting 60 deep)
and plain garbage, runs the command in-process with every output mode, and requires an answer or a clean
error (exit 0, 1 or 2) — never an exception."""

import contextlib
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule.cli import main
from chainrule.explain.parse import MAX_LENGTH, FormulaError, parse

VARIABLES = ["x", "y", "z", "w"]
UNARY = ["exp", "log", "sqrt", "sigmoid", "tanh", "relu", "sin", "cos", "abs", "sum", "mean"]
NUMBERS = st.sampled_from(["0", "1", "2", "0.5", "3.25", "1e-300", "1e300", "1e308", "1e-9", "10", "7"])


def expressions(depth):
    leaf = st.one_of(st.sampled_from(VARIABLES), NUMBERS)
    if depth == 0:
        return leaf
    sub = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda op, a, b: f"({a} {op} {b})", st.sampled_from(["+", "-", "*", "/", "**"]), sub, sub),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(UNARY), sub),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["max", "min"]), sub, sub),
        st.builds(lambda a: f"-{a}", sub),
    )


# names that clash on purpose: inputs reassigned, the default output names f/out, the fresh names t1/in1
TARGETS = st.sampled_from(["q", "r", "x", "y", "f", "out", "t1", "in1", None])


@st.composite
def formulas(draw):
    n = draw(st.integers(1, 4))
    parts = []
    for _ in range(n):
        name, expr = draw(TARGETS), draw(expressions(3))
        parts.append(f"{name} = {expr}" if name else expr)
    return "; ".join(parts)


VALUES = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0", "-0.0", "1e-12", "-3", "1e300", "-1e300", "0.5"]),
    st.lists(st.sampled_from(["0", "1", "-2.5", "1e-20", "3"]), min_size=1, max_size=3).map(",".join),
)
MODES = st.sampled_from([[], ["--check"], ["--digits", "0"], ["--digits", "5"], ["--svg", "SVG"],
                         ["--html", "HTML"], ["--check", "--svg", "SVG", "--html", "HTML"]])


def _paths(mode, tmp_path):
    return [str(tmp_path / "c.svg") if m == "SVG" else str(tmp_path / "c.html") if m == "HTML" else m for m in mode]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(source=formulas(), values=st.fixed_dictionaries({v: VALUES for v in VARIABLES}), mode=MODES)
def test_explain_answers_or_refuses_cleanly(tmp_path, source, values, mode):
    assert len(source) <= MAX_LENGTH
    try:
        needed = parse(source).inputs
    except FormulaError:
        needed = VARIABLES  # refused by the parser: the command must say so cleanly too
    at = [f"{k}={values[k]}" for k in VARIABLES if k in needed]
    _answers_or_refuses(source, at, _paths(mode, tmp_path))


def _answers_or_refuses(source, at, mode):
    code, out, err = run(["explain", *mode, "--at", *at, "--", source] if at else ["explain", *mode, "--", source])
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in out + err
    if code == 2:
        assert err.startswith("chainrule explain: error: "), err
    else:
        assert "gradients" in out
    return code, out


OPERATORS = st.sampled_from(["+", "-", "*", "/"])


@st.composite
def chains(draw):
    """Up to 80 statements, each combining earlier results (long-range wires, as in the formula that kept
    Graphviz busy for minutes)."""
    names, parts = ["x", "y", "z"], []
    for k in range(draw(st.integers(1, 80))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names + ["2", "0.5"]))
        expr = f"{a} {draw(OPERATORS)} {b}"
        if draw(st.booleans()):
            expr = f"{draw(st.sampled_from(UNARY[:8]))}({expr})"
        parts.append(f"q{k} = {expr}")
        names.append(f"q{k}")
    return "; ".join(parts)


@st.composite
def flat(draw):
    """A sum/product of hundreds of terms, side by side (not nested)."""
    n = draw(st.integers(100, 650))
    terms = draw(st.lists(st.sampled_from(["x", "y", "2", "z"]), min_size=n, max_size=n))
    ops = draw(st.lists(OPERATORS, min_size=n - 1, max_size=n - 1))
    return terms[0] + "".join(o + t for o, t in zip(ops, terms[1:]))


@st.composite
def nested(draw):
    """Functions nested up to the limit (60 levels), around x."""
    fs = draw(st.lists(st.sampled_from(UNARY), min_size=1, max_size=60))
    return "".join(f + "(" for f in fs) + "x" + ")" * len(fs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(source=st.one_of(chains(), flat(), nested()),
       mode=st.sampled_from([[], ["--svg", "SVG"], ["--html", "HTML"], ["--check"], ["--digits", "0"]]))
def test_formulas_at_the_limits_are_explained(tmp_path, source, mode):
    assert len(source) <= MAX_LENGTH
    values = {"x": "0.5", "y": "-1", "z": "2"}
    at = [f"{k}={values[k]}" for k in parse(source).inputs]  # parses: within every limit
    code, out = _answers_or_refuses(source, at, _paths(mode, tmp_path))
    assert code in (0, 1)


GARBAGE = st.lists(st.sampled_from(list("xyz+-*/() ,;=.0123456789e_[]^!@'\"") + ["exp", "sum", "max", "**", "\n",
                                                                              "−", "·", "lambda", "import"]),
                   max_size=120).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=GARBAGE)
def test_any_text_is_answered_or_refused_cleanly(tmp_path, source):
    _answers_or_refuses(source, ["x=1", "y=2", "z=3"], [])
