"""`chainrule explain sgd` gives the slide's table; the formula form's command line (text, --check, errors)."""

import numpy as np
import pytest
import torch

import chainrule.explain as ex
from chainrule.cli import main

SLIDE = ["sgd", "--model", "w*x + b", "--loss", "0.5*(h - y)**2", "--at", "w=0.1", "b=1", "x=1", "y=3",
         "--lr", "0.2", "--steps", "3"]


def test_sgd_table_is_the_slide(capsys):
    assert main(["explain", *SLIDE]) == 0
    lines = capsys.readouterr().out.splitlines()
    k = next(i for i, s in enumerate(lines) if s.startswith("h "))
    assert lines[k].split() == ["h", "L", "∂L/∂h", "∂L/∂w", "∂L/∂b", "w", "b"]
    assert lines[k + 1].split() == ["1.1", "1.80", "−1.9", "−1.9", "−1.9", "0.48", "1.38"]
    assert lines[k + 2].split() == ["1.86", "0.65", "−1.14", "−1.14", "−1.14", "0.71", "1.61"]
    assert lines[k + 3].split() == ["2.32", "0.23", "−0.68", "−0.68", "−0.68", "0.84", "1.74"]
    assert len(lines) == k + 4


def test_sgd_matches_torch_sgd_over_several_steps():
    t = ex.sgd("sigmoid(w*x + b)", "mean((h - y)**2)", dict(w=[0.5, -0.3], b=0.1, x=[1.0, 2.0], y=[0.0, 1.0]),
               lr=0.5, steps=4)
    w = torch.tensor([0.5, -0.3], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.5)
    x, y = torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([0.0, 1.0], dtype=torch.float64)
    for row in t.rows:
        opt.zero_grad()
        loss = ((torch.sigmoid(w * x + b) - y) ** 2).mean()
        loss.backward()
        np.testing.assert_allclose(row[1], loss.item(), rtol=1e-12)
        np.testing.assert_allclose(row[3], w.grad.numpy(), rtol=1e-12)
        opt.step()
        np.testing.assert_allclose(row[5], w.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(row[6], b.item(), rtol=1e-12)
    assert t.columns == ["h", "L", "∂L/∂h", "∂L/∂w", "∂L/∂b", "w", "b"]


def test_sgd_errors(capsys):
    assert main(["explain", "sgd", "--model", "w*x + b", "--loss", "(y - 1)**2", "--at", "w=1", "b=1", "x=1",
                 "y=1"]) == 2
    assert "must use the model's output h" in capsys.readouterr().err
    assert main(["explain", "sgd", "--model", "w*x + b", "--loss", "0.5*(h - y)**2", "--at", "w=1", "x=1",
                 "y=1"]) == 2
    assert "no value for b" in capsys.readouterr().err
    assert main(["explain", "sgd", "--model", "w*x", "--loss", "(h - y)**2", "--at", "w=1,2", "x=1,2",
                 "y=1,2"]) == 2
    assert "single number" in capsys.readouterr().err
    assert main(["explain", "sgd", "--check", "--model", "w*x", "--loss", "h"]) == 2
    assert "--check does not apply" in capsys.readouterr().err
    assert main(["explain", "sgd", "--graphviz", "--model", "w*x", "--loss", "h"]) == 2
    assert "--graphviz does not apply" in capsys.readouterr().err
    assert main(["explain", "x*y", "--at", "x=1", "y=1", "--carry-rounded"]) == 2
    assert "--carry-rounded does not apply to a formula" in capsys.readouterr().err


def test_python_api_misuse_is_named():
    with pytest.raises(ValueError, match="--lr must be a finite number, got 'a'"):
        ex.sgd("w*x", "(h - y)**2", dict(w=1, x=1, y=1), lr="a", steps=2)
    with pytest.raises(ex.FormulaError, match=r"no value for y: .*\(in Python: y=VALUE\)"):
        ex.formula("x * y", x=1)
    import chainrule as cr

    with pytest.raises(TypeError, match=r"text\(\) takes the Graph .* got a Tensor: call chainrule.explain.graph"):
        ex.text(cr.ones(1))


def test_formula_command_prints_the_lecture_lines_and_checks(capsys):
    assert main(["explain", "q = x + y; f = q * z", "--at", "x=-2", "y=5", "z=-4", "--check"]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4" in out
    assert "5 of 5 gradients agree" in out


def test_formula_command_refuses_hostile_input_and_unused_values(capsys):
    assert main(["explain", "__import__('os').system('echo pwned')", "--at", "x=1"]) == 2
    err = capsys.readouterr()
    assert "pwned" not in err.out and "A formula may use" in err.err
    assert main(["explain", "x * y", "--at", "x=1", "y=2", "z=3"]) == 2
    assert "does not use" in capsys.readouterr().err
    assert main(["explain", "x * y", "--at", "x=1", "--lr", "0.1"]) == 2
    assert "--lr does not apply" in capsys.readouterr().err


def test_formula_outside_its_domain_gets_a_note_and_no_numpy_warning(capsys, recwarn):
    assert main(["explain", "q = x + y; f = log(q)", "--at", "x=-2", "y=1"]) == 0
    out = capsys.readouterr().out
    assert "note: the value of f = log(q) is nan: log x is defined only for x > 0" in out
    assert main(["explain", "sqrt(x)", "--at", "x=0"]) == 0
    assert "a local derivative of f = √x is not finite here" in capsys.readouterr().out
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert main(["explain", "x * y", "--at", "x=1", "y=2"]) == 0
    assert "note:" not in capsys.readouterr().out


def test_output_into_a_missing_directory_is_refused_up_front(capsys, tmp_path):
    assert main(["explain", "x * y", "--at", "x=1", "y=2", "--html", str(tmp_path / "no" / "a.html")]) == 2
    captured = capsys.readouterr()
    assert "--html" in captured.err and "does not exist" in captured.err and captured.out == ""


@pytest.mark.parametrize("argv", [["--help"]])
def test_help_lists_the_three_forms(argv, capsys):
    with pytest.raises(SystemExit):
        main(["explain", *argv])
    out = capsys.readouterr().out
    assert "chainrule explain sgd" in out and "chainrule explain model --run DIR" in out


def test_carry_rounded_reproduces_the_slide_with_a_note(capsys):
    """The slide carried rounded values: w = 0.708 went on as 0.71, so its last row has b = 1.75, not 1.74."""
    assert main(["explain", *SLIDE, "--carry-rounded"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    k = next(i for i, s in enumerate(lines) if s.startswith("h "))
    assert lines[k + 1].split() == ["1.1", "1.80", "−1.9", "−1.9", "−1.9", "0.48", "1.38"]
    assert lines[k + 2].split() == ["1.86", "0.65", "−1.14", "−1.14", "−1.14", "0.71", "1.61"]
    assert lines[k + 3].split() == ["2.32", "0.23", "−0.68", "−0.68", "−0.68", "0.85", "1.75"]
    note = " ".join(s.strip() for s in lines[k + 5:])
    assert note.startswith("note: rounded values carried, as on the slide")
    assert "the last row shows w = 0.85, b = 1.75" in note
    assert "b = 1.7448 (printed 1.74)" in note and "w = 0.8448 (printed 0.84)" in note


def test_carry_rounded_in_python_and_at_other_precisions():
    t = ex.sgd("w*x + b", "0.5*(h - y)**2", dict(w=0.1, b=1, x=1, y=3), lr=0.2, steps=3, carry_rounded=2)
    assert t.column("b")[-1] == 1.75 and t.exact["b"] == pytest.approx(1.7448, abs=1e-12)
    assert t.starts[2] == {"w": 0.71, "b": 1.61}  # each step starts from the printed values
    exact = ex.sgd("w*x + b", "0.5*(h - y)**2", dict(w=0.1, b=1, x=1, y=3), lr=0.2, steps=3)
    assert exact.note() == "" and exact.column("b")[-1] == pytest.approx(1.7448)
    one = ex.sgd("w*x + b", "0.5*(h - y)**2", dict(w=0.1, b=1, x=1, y=3), lr=0.2, steps=3, carry_rounded=1)
    assert [float(v) for v in one.column("b")] == [1.4, 1.6, 1.7]  # 1.38 → 1.4; 1.62 → 1.6; 1.74 → 1.7
    assert [float(v) for v in one.column("w")] == [0.5, 0.7, 0.8]
    with pytest.raises(ValueError, match="carry_rounded must be a number of decimals"):
        ex.sgd("w*x", "(h - y)**2", dict(w=1, x=1, y=1), lr=0.1, steps=1, carry_rounded=-1)


def test_sgd_table_as_svg_and_html(tmp_path, capsys):
    import xml.etree.ElementTree as ET

    svg, page = tmp_path / "sgd.svg", tmp_path / "sgd.html"
    assert main(["explain", *SLIDE, "--carry-rounded", "--svg", str(svg), "--html", str(page)]) == 0
    root = ET.parse(svg).getroot()
    text = [t.text for t in root.iter() if t.tag.endswith("text")]
    for cell in ["h", "L", "∂L/∂h", "∂L/∂w", "∂L/∂b", "w", "b", "1.1", "1.80", "−1.9", "0.48", "1.38", "2.32", "1.75"]:
        assert cell in text, cell
    assert any(s.startswith("forward: the model's output h and the loss L") for s in text)  # the colour key
    assert any("1.7448" in s for s in text)  # the note
    html = page.read_text()
    assert "<script>" in html and "1.7448" in html and "http" not in html.split("<script>")[1]


def test_sgd_page_steps_forward_backward_update():
    from chainrule.explain.sgd_views import page_data

    t = ex.sgd("w*x + b", "0.5*(h - y)**2", dict(w=0.1, b=1, x=1, y=3), lr=0.2, steps=3, carry_rounded=2)
    steps = page_data(t)["steps"]
    assert [s["phase"] for s in steps] == ["forward", "backward", "update"] * 3 + ["done"]
    assert "h = t1 + b = 0.1 + 1 = 1.1" in steps[0]["lines"]
    assert "∂L/∂w = ∂L/∂t1 · ∂t1/∂w = −1.9 · 1 = −1.9   (∂t1/∂w = x)" in steps[1]["lines"]
    assert steps[5]["lines"][0] == "w ← w − 0.2·∂L/∂w = 0.48 − 0.2·(−1.14) = 0.708, carried as 0.71"
    assert steps[8]["lines"][1] == "b ← b − 0.2·∂L/∂b = 1.61 − 0.2·(−0.68) = 1.746, carried as 1.75"
    assert steps[2]["cols"] == [5, 6] and steps[0]["cols"] == [0, 1] and steps[1]["cols"] == [2, 3, 4]
    assert "1.7448" in " ".join(steps[-1]["lines"])


def test_the_check_of_a_big_formula_is_capped_and_says_so(capsys):
    from chainrule.explain.check import MAX_ROWS

    assert main(["explain", "+".join(["x"] * 200), "--at", "x=1", "--check"]) == 0
    out = capsys.readouterr().out
    assert f"{MAX_ROWS} of {MAX_ROWS} gradients agree" in out
    assert f"({MAX_ROWS} of 200 gradients checked: every input, then gates spread over the circuit)" in out
    assert "∂f/∂x " in out and "∂f/∂f " in out  # the input and the output are among them


def test_files_that_cannot_be_written_and_values_that_are_not_numbers(tmp_path, capsys):
    assert main(["explain", "x*y", "--at", "x=1", "y=2", "--svg", str(tmp_path)]) == 2
    assert "could not write" in capsys.readouterr().err
    assert main(["explain", "x*y", "--at", "x=" + "[" * 5000, "y=2"]) == 2
    err = capsys.readouterr().err
    assert "this is not a number" in err and len(err) < 300


def test_the_table_draws_itself_from_python(tmp_path):
    t = ex.sgd("w*x + b", "0.5*(h - y)**2", dict(w=0.1, b=1, x=1, y=3), lr=0.2, steps=3, carry_rounded=2)
    assert "1.75" in t.write_svg(tmp_path / "t.svg").read_text()
    assert "carried as 1.75" in t.write_html(tmp_path / "t.html").read_text()
