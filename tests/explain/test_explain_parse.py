"""The formula parser: a whitelist over Python's syntax tree; hostile input is refused, never run."""

import builtins
import sys

import numpy as np
import pytest

import chainrule.explain as ex
from chainrule.explain.parse import FormulaError, parse, parse_assignments

HOSTILE = [
    "__import__('os').system('echo pwned')",
    "__import__('os')",
    "x.__class__.__bases__",
    "(lambda: 1)()",
    "[a for a in x]",
    "{a: 1 for a in x}",
    "(a for a in x)",
    "x[0]",
    "x[1:2]",
    "open('/etc/passwd')",
    "eval('1+1')",
    "exec('import os')",
    "globals()",
    "getattr(x, 'y')",
    "'abc' + x",
    "b'abc'",
    "x if y else z",
    "x < y",
    "x and y",
    "import os",
    "x = 1; import os",
    "from os import system",
    "def f(): pass",
    "x.y = 1",
    "x += 1",
    "exp(x)(y)",
    "exp(x, y)",
    "exp(x=1)",
    "exp(*x)",
    "_x + 1",
    "__builtins__",
    "x ^ 2",
    "x @ y",
    "not x",
    "[x, y]",
    "(x, y)",
    "{x}",
    "f'{x}'",
    "(y := 2)",
    "True + x",
    "None",
    "1j * x",
    "exp",
    "exp = x + 1",
    "a, b = x, y",
    "(" * 300 + "x" + ")" * 300,
    "exp(" * 100 + "x" + ")" * 100,
    "x + " * 600 + "x",
    "x" * 3000,
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_is_refused_with_what_is_allowed(source, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the parser must never evaluate Python code")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    monkeypatch.setattr(builtins, "__import__", _guarded_import(builtins.__import__))
    with pytest.raises(FormulaError) as err:
        f = parse(source)
        f.evaluate({n: np.float64(1.0) for n in f.inputs})
    assert "A formula may use" in str(err.value)


def _guarded_import(real):
    def imp(name, *a, **k):
        if name in ("os", "subprocess", "sys", "shutil"):
            raise AssertionError(f"the parser imported {name}")
        return real(name, *a, **k)

    return imp


def test_messages_name_what_was_found():
    for source, words in [("x.y", "attribute access"), ("x[0]", "indexing"), ("(lambda: 1)()", "only calls"),
                          ("foo(x)", "unknown function 'foo'"), ("x ^ 2", "x**2"), ("2x", "2*x"),
                          ("exp(x, y)", "takes 1 argument"), ("[a for a in x]", "comprehension")]:
        with pytest.raises(FormulaError) as err:  # (the words are checked below, with the source)
            parse(source)
        assert words in str(err.value), (source, str(err.value))


def test_named_gates_unicode_and_newlines():
    f = parse("q = x + y\nf = q · z")
    assert f.inputs == ["x", "y", "z"] and f.gate_names == ["q", "f"] and f.output == "f"
    g = ex.formula("q = x − y; q · z", x=-2, y=5, z=-4)
    assert g["q"].value == -7 and g.out.name == "f" and g.out.value == 28


def test_gate_named_before_use_and_output_name():
    with pytest.raises(FormulaError, match="read as an input by an earlier statement and assigned here"):
        parse("f = q * z; q = x + y")
    assert parse("f * 2").output == "out"  # f is an input there, so the output is called out


def test_one_gate_per_engine_primitive():
    g = ex.formula("1/x + 2/x + x/2 + x - 1 - x", x=2.0)
    ops = [n.op for n in g.gates]
    # 1/x alone is the lecture's 1/x gate; 2/x = 2 · x⁻¹ (as torch computes it: MulBackward0); x/2 is one division
    # (torch's a / b, DivBackward0, not a · b⁻¹, which rounds differently); x − 1 = x + (−1); a − x = a + (−x)
    assert ops == ["1/x", "1/x", "·2", "+", "/2", "+", "+", "−1", "·(−1)", "+"]
    over_two = g.gates[4]  # local derivative at x = 2: 1/2
    assert over_two.engine_op == "DivBackward0" and float(over_two.local[0]) == 0.5
    assert g.out.value == 1 / 2 + 2 / 2 + 2 / 2 + 2 - 1 - 2


def test_assignments():
    v = parse_assignments(["x=-2", "w=1,2,3", "m=[[1, 2], [3, 4]]", "y=\u22125"])
    assert v["x"] == -2 and v["w"].tolist() == [1, 2, 3] and v["m"].shape == (2, 2) and v["y"] == -5
    for bad in ["x", "x=abc", "1x=2", "x=nan", "_x=1"]:
        with pytest.raises(FormulaError):
            parse_assignments([bad])


def test_missing_value_and_constant_formula():
    with pytest.raises(FormulaError, match="no value for z"):
        ex.formula("(x + y) * z", x=1, y=2)
    with pytest.raises(FormulaError, match="does not depend on any variable"):
        ex.formula("2 * 3")
    with pytest.raises(FormulaError, match="itself"):
        ex.formula("x", x=1)


def test_limits_say_what_they_measure():
    flat = "+".join(["x"] * 500)  # 499 additions side by side: long, not nested
    g = ex.formula(flat, x=1.0)
    assert len(g.gates) == 499 and g.out.value == 500 and g["x"].grad == 500
    with pytest.raises(FormulaError, match="nests parentheses or function calls more than 60 levels deep"):
        parse("sigmoid(" * 61 + "x" + ")" * 61)
    parse("sigmoid(" * 60 + "x" + ")" * 60)  # exactly at the limit
    with pytest.raises(FormulaError, match="nests parentheses"):
        parse("x - (" * 61 + "x - x" + ")" * 61)  # parentheses count, not operators
    parse("x" + " * x" * 400)  # a long product is level 0
    with pytest.raises(FormulaError, match="more than 1000 operations"):
        parse("-" * 1001 + "x")  # 1001 minus signs: short and not nested, but too many
    with pytest.raises(FormulaError, match="characters long"):
        parse("x" + "+x" * 1000)


def test_nesting_counts_the_brackets_a_reader_sees(monkeypatch):
    parse_module = sys.modules["chainrule.explain.parse"]

    def level_ok(source, levels):
        """The expression passes at MAX_NESTING = levels and fails at levels - 1."""
        monkeypatch.setattr(parse_module, "MAX_NESTING", levels)
        parse(source)
        if levels:
            monkeypatch.setattr(parse_module, "MAX_NESTING", levels - 1)
            with pytest.raises(FormulaError, match="nests parentheses"):
                parse(source)

    level_ok("a + b - c + d", 0)
    level_ok("a * b / c * d", 0)
    level_ok("a * b + c * d", 0)  # a product inside a sum needs no parentheses
    level_ok("(a + b) * c", 1)
    level_ok("a - (b - c)", 1)
    level_ok("a ** b ** c", 0)  # right-associative: no parentheses
    level_ok("(a ** b) ** c", 1)
    level_ok("-a * -b", 0)
    level_ok("-(a + b)", 1)
    level_ok("exp(a)", 1)
    level_ok("exp(a + b) * c", 1)
    level_ok("max(exp(a), b)", 2)


def test_a_reassigned_input_keeps_its_name():
    f = parse("x = x * 2; x = x + y; f = x * x")
    assert f.inputs == ["x", "y"] and f.labels == ["x′", "x″", "f"] and f.renamed == {"x′": "x", "x″": "x"}
    g = ex.formula("x = x * 2; x = x + y; f = x * x", x=1.0, y=2.0)
    assert [n.name for n in g.inputs] == ["x", "y"]
    assert g["x′"].value == 2 and g["x″"].value == 4 and g.out.value == 16
    assert g["x"].grad == 16 and g["y"].grad == 8  # f = (2x + y)², ∂f/∂x = 4(2x + y)
    assert "in1" not in ex.text(g)
    g = ex.formula("q = x + 1; q = q * q", x=1.0)  # a gate named twice: q, then q′
    assert [n.name for n in g.gates] == ["q", "q′"] and g.out.name == "q′"
    assert parse("x = 2; f = x * y").inputs == ["y"]  # assigned before any use: a constant, not an input
