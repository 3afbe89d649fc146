"""Every lab in its quick mode (the test suite's size), asserting the findings that are robust."""

import json

import pytest

from chainrule import labs


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("labs")


_cache = {}


def result(name, out):
    if name not in _cache:
        _cache[name] = labs.run(name, out=out, seed=0, mode="quick", echo=None)
    return _cache[name]


def test_xor(out):
    n = result("xor", out).numbers
    assert n["gates_train_acc"]["AND"] == 1.0 and n["gates_train_acc"]["OR"] == 1.0
    assert n["gates_train_acc"]["XOR"] < 0.8 and n["gates_train_acc"]["XOR_hidden_layer"] > 0.95
    assert n["linear_fails"] and n["feature_succeeds"] and n["hidden_succeeds"]


def test_linear_stack(out):
    n = result("linear-stack", out).numbers
    assert n["stack_equals_one_linear"] and n["nonlinear_differs"]
    assert n["linear"]["train_acc_circle"] < 0.75 < n["tanh"]["train_acc_circle"]


def test_backprop_by_hand(out):
    n = result("backprop-by-hand", out).numbers
    assert n["equal"] and n["worst_rel_diff"] < 1e-12
    assert n["loss_by_hand"] == pytest.approx(n["loss_engine"], rel=1e-12)


def test_tanh_vs_sigmoid(out):
    n = result("tanh-vs-sigmoid", out).numbers
    # δ shrinks ≈ 4× more per layer with sigmoid: at the first layer tanh's weight gradient is far larger
    assert n["first_layer_ratio_W"] > 10
    assert n["ratio_tanh_over_sigmoid_b"][0] > n["ratio_tanh_over_sigmoid_b"][-2] > 1


def test_init(out):
    n = result("init", out).numbers
    assert n["zero_init_units_identical"]  # zero init: the hidden units stay identical after training
    assert n["symmetry"]["constant"]["distinct_rows_layer1"] == 1
    assert n["symmetry"]["xavier"]["distinct_rows_layer1"] == 16
    assert n["he_keeps_relu_variance"] and 0.2 < n["he_relu_var_ratio"] < 5
    assert n["small_collapses"] and n["small_relu_var_ratio"] < 1e-3
    assert n["per_network"]["relu_he"]["n_var_w"] == pytest.approx(2, rel=0.15)


def test_saturation(out):
    n = result("saturation", out).numbers
    assert n["large_weights_saturate"] and n["lecun_not_saturated"]
    assert n["mean_slope"]["tanh_std10"] < 0.1 < n["mean_slope"]["tanh_std0.125"]


def test_files_and_determinism(out, tmp_path):
    r = result("xor", out)
    saved = json.loads((out / "xor" / "numbers.json").read_text())
    assert saved["numbers"] == r.numbers and saved["conclusion"] == r.conclusion
    assert all((out / "xor" / f.path).stat().st_size > 5000 for f in r.figures)
    again = labs.run("xor", out=tmp_path, seed=0, mode="quick", echo=None)
    assert again.numbers == r.numbers
    assert "%" in r.conclusion


def test_report_embeds_every_figure(out):
    from chainrule.labs.report import write_report

    results = [result(name, out) for name in ("xor", "linear-stack")]
    html = write_report(results, out).read_text()
    assert html.count("data:image/png;base64,") == sum(len(r.figures) for r in results)
    assert results[0].conclusion.split()[0] in html and "<img" in html and "src=\"http" not in html


def test_cli(capsys, tmp_path):
    from chainrule.cli import main

    assert main(["lab", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in labs.names())
    assert main(["lab", "nope"]) == 2
    assert "chainrule lab: error: unknown lab 'nope'" in capsys.readouterr().err
    assert main(["lab", "xor", "--seed", "-1"]) == 2
    assert "--seed must be a non-negative integer" in capsys.readouterr().err
    with pytest.raises(ValueError, match="mode must be one of"):
        labs.run("xor", out=tmp_path, mode="slow")
    assert main(["lab", "backprop-by-hand", "--quick", "--out", str(tmp_path), "--seed", "3"]) == 0
    assert "agree with loss.backward()" in capsys.readouterr().out
    assert (tmp_path / "backprop-by-hand" / "hand_vs_engine.png").exists()
    assert json.loads((tmp_path / "backprop-by-hand" / "numbers.json").read_text())["seed"] == 3


def test_activations(out):
    n = result("activations", out).numbers
    d = n["max_derivative"]  # from the engine's backward pass
    assert d["sigmoid"] == pytest.approx(0.25, abs=1e-4) and d["tanh"] == pytest.approx(1, abs=1e-4)
    assert d["ReLU"] == 1 and d["LeakyReLU"] == 1
    loss = n["final_train_loss"]
    assert loss["ReLU"] < loss["sigmoid"] and loss["tanh"] < loss["sigmoid"]
    assert n["relu_vs_tanh_ratio"] is None or n["relu_vs_tanh_ratio"] > 0


def test_dead_relu(out):
    n = result("dead-relu", out).numbers
    s = n["summary"]
    assert n["relu_more_dead_at_high_lr"]
    assert s["ReLU_lr1"]["final_dead"] > s["LeakyReLU_lr1"]["final_dead"]
    assert s["ReLU_lr1"]["final_dead"] > 2 * s["ReLU_lr0.1"]["final_dead"]


def test_optimizers(out):
    n = result("optimizers", out).numbers
    s = n["surfaces"]
    assert s["saddle.Adam"]["steps_to_escape"] is not None and s["saddle.RMSprop"]["steps_to_escape"] is not None
    assert s["saddle.SGD"]["steps_to_escape"] is None  # lr 0.01: y grows only ×1.02 per step
    assert s["Rosenbrock.momentum"]["final_f"] < s["Rosenbrock.SGD"]["final_f"]
    pic = n["lr_picture"]
    for name, (lo, good, hi) in (("SGD", ("0.001", "0.1", "3")), ("Adam", ("1e-05", "0.001", "0.1"))):
        good_loss = pic[f"{name}_lr{good}"]["final_loss"]
        assert good_loss < pic[f"{name}_lr{lo}"]["final_loss"]
        assert pic[f"{name}_lr{hi}"]["diverged"] or good_loss < pic[f"{name}_lr{hi}"]["final_loss"]


def test_batchnorm(out):
    n = result("batchnorm", out).numbers
    assert n["bn_trains_faster"]
    ratio = n["signal_ratio_init"]
    assert ratio["default init"] < 0.05 < 0.3 < ratio["default init + batch norm"]
    arms = n["arms"]
    assert arms["default init + batch norm"]["final_val_acc"] > arms["default init"]["final_val_acc"] + 0.3


def test_dropout(out):
    n = result("dropout", out).numbers
    f, e = n["final"], n["ensemble"]
    assert n["dropout_narrows_loss_gap"]
    assert f["L2 0.01"]["loss_gap"] < f["none"]["loss_gap"]
    assert f["none"]["train_acc"] > 0.98  # the small training set is memorised
    tv, geo = e["mean_tv_distance"], e["mean_tv_distance_geometric"]
    k = str(e["K"][-1])
    assert tv[k] < tv["1"] and geo[k] < tv[k]  # averaging converges towards eval mode; geometric closer
    assert e["argmax_agreement"] > 0.9


def test_augmentation(out):
    n = result("augmentation", out).numbers
    assert n["shift_helps_on_shifted_test"]
    r = n["results"]
    size = n["sizes"][0]
    assert r[f"{size}.shift"]["shifted_test_acc"] > r[f"{size}.none"]["shifted_test_acc"] + 0.15
    assert all(v["test_acc"] > 0.6 for v in r.values())


def test_every_lab_is_registered_with_a_module():
    assert len(labs.names()) == 12
    for lab in labs.LABS:
        assert callable(lab.run), lab.name
