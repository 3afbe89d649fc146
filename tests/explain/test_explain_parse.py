"""The formula parser: a whitelist over Python's syntax tree; hostile input is refused, never run."""

import builtins

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
    with pytest.raises(FormulaError, match="before this statement assigns it"):
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
