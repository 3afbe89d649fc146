"""Every lab in live mode (3 seeds): the findings that hold over seeds — asserted on means and spreads, never on
one seed's headline — and the committed docs' numbers, which a fresh run must reproduce within their spread.

One test per lab runs it once and checks both (``CHECKS[name]``, then ``check_drift``), so that no lab runs twice.
Timings are never asserted (the machine may be busy)."""

import json
from pathlib import Path

import pytest

from chainrule import labs

DOCS = Path(__file__).resolve().parents[2] / "docs"
CLAIMS = json.loads((DOCS / "labs" / "claims.json").read_text())


def mean(stat):
    return stat["mean"]


def lo(stat):
    return stat["mean"] - stat["sd"]


def hi(stat):
    return stat["mean"] + stat["sd"]


def verdicts(r):
    return {c["key"]: c["verdict"] for c in r.claims}


# --- per-lab checks: what the lab's own numbers must show over seeds ----------------------------------------------


def check_xor(n, r):
    g, t = n["gates_train_acc"], n["playground_test_acc"]
    assert mean(g["AND"]) == 1.0 and mean(g["OR"]) == 1.0 and hi(g["XOR"]) < 0.8
    assert hi(t["logistic (x1, x2)"]) < 0.8 < lo(t["logistic (x1, x2, x1·x2)"])
    assert lo(t["2-layer tanh (8 hidden)"]) > 0.9


def check_linear_stack(n, r):
    assert n["stack_equals_one_linear"] and n["nonlinear_differs"]
    assert hi(n["stats"]["linear.train_acc_circle"]) < 0.75 < lo(n["stats"]["tanh.train_acc_circle"])


def check_activations(n, r):
    d = n["max_derivative"]  # from the engine's backward pass
    assert d["Sigmoid"] == pytest.approx(0.25, abs=1e-4) and d["Tanh"] == pytest.approx(1, abs=1e-4)
    assert d["ReLU"] == 1
    assert set(n["best_lr"].values()) <= set(n["lr_grid"])  # each arm reports its best rate of the grid
    assert n["reached"]["ReLU"] == n["reached"]["Tanh"] == 3
    assert hi(n["ratio_tanh_over_relu"]) < 6  # nowhere near Krizhevsky's ×6 on this MLP
    assert verdicts(r)["relu-x6"] == "contradicted"


def check_activation_depth(n, r):
    g = n["first_over_last_grad_rms"]
    assert hi(g["Sigmoid_depth8"]) < 1e-3 < lo(g["ReLU_depth8"])  # sigmoid's σ' ≤ 1/4 per layer
    e = n["final_train_error"]
    assert lo(e["Sigmoid_depth6"]) > hi(e["ReLU_depth6"])


def check_exp_cost(n, r):
    assert set(n["training_step_us"]) == {"ReLU", "Tanh", "Sigmoid"}
    assert all(c["drift"] is False for c in r.claims)  # timings: not compared with the docs


def check_dead_relu(n, r):
    s = n["summary"]
    assert lo(s["ReLU_lr1"]["final_dead"]) > hi(s["ReLU_lr0.1"]["final_dead"])
    assert mean(s["ReLU_lr1"]["final_dead"]) > 0.3
    assert hi(s["ReLU_lr1"]["back_l1"]) == 0 < lo(n["leaky_minus_relu_back_l1"])  # dead on every digit: for good
    assert verdicts(r) == {"dead-relu": "supported", "leaky-fix": "partly supported"}


def check_prelu(n, r):
    assert all(lo(a) > 0.05 for a in n["final_alpha"].values())  # α stays well away from 0


def check_elu_mean(n, r):
    assert mean(n["gaussian_mean"]["elu"]) == pytest.approx(n["expected_gaussian_mean"]["elu"], abs=0.01)
    assert lo(n["relu_minus_elu_abs_mean"]) > 0


def check_saturation(n, r):
    sat = n["mean_frac_saturated"]
    assert lo(sat["sigmoid_std10"]) > 0.8 and lo(sat["tanh_std10"]) > 0.8
    assert hi(sat["sigmoid_std0.125"]) < 0.05 and hi(sat["tanh_std0.125"]) < 0.05
    assert lo(n["log10_grad_std10_over_lecun"]["tanh"]) > 0  # the gradient norm does not vanish
    assert verdicts(r)["kills-gradient"] == "contradicted"


def check_tanh_vs_sigmoid(n, r):
    assert lo(n["first_layer_ratio_W"]) > 10
    assert 1 in n["layers_where_tanh_wins_W"] and n["layers_where_sigmoid_wins_W"][-1] == len(n["log10_ratio_W"])


def check_go_deeper(n, r):
    assert n["engine_vs_product_max_rel_diff"] < 1e-10
    assert hi(n["factor_per_layer"]) < 0.25


def check_init(n, r):
    s = n["symmetry"]
    assert hi(s["zeros"]["distinct_units"]) <= 1 and lo(s["xavier"]["distinct_units"]) >= 15
    v = n["var_ratio_last_first"]
    assert 0.3 < mean(v["relu_he"]) < 3 and hi(v["relu_small"]) < 1e-6
    f = n["forward_var_widening_stack"]
    assert 0.5 < mean(f["1/n_in"]) < 2 and hi(f["1/n_out"]) < 0.2


def check_uniform_init(n, r):
    assert mean(n["n_var_w_all"]) == pytest.approx(1 / 3, abs=0.01)
    assert all(mean(v) == pytest.approx(1 / 3, abs=0.02) for v in n["n_var_w_default_linear"].values())


def check_sigmoid_zero_init(n, r):
    res = n["results"]
    assert mean(res["sigmoid, zeros"]["first_grad_W1"]) == 0 and lo(res["sigmoid, zeros"]["first_grad_W2"]) > 0
    assert hi(res["sigmoid, zeros, float64"]["distinct_units"]) <= 1  # exact arithmetic: copies stay copies
    assert lo(res["sigmoid, Xavier"]["test_acc"]) > hi(res["sigmoid, zeros"]["test_acc"])


def check_input_normalisation(n, r):
    assert lo(n["unit_minus_standardised"]) > 0


def check_optimizers(n, r):
    esc = n["saddle_escaped"]
    assert esc["SGD"] == 0 and esc["RMSprop"] == esc["Adam"] == 3
    ros = n["rosenbrock_final_f"]
    assert hi(ros["momentum"]) < lo(ros["SGD"])
    assert all(lo(v) > 0 for k, v in n["sgd_minus"].items() if k in ("momentum", "Nesterov", "Adam"))


def check_adam_bias_correction(n, r):
    s = n["median_first_step_over_lr"]
    assert mean(s["torch Adam"]) == pytest.approx(1, abs=0.01)
    assert mean(s["no bias correction"]) == pytest.approx(n["theory_uncorrected_first_step"], rel=0.01)
    q = n["step_ratio_loss_times_10"]
    assert mean(q["torch Adam"]) == pytest.approx(1, abs=0.01) and hi(q["slide: m/(v + ε)"]) < 0.5


def check_adadelta(n, r):
    assert lo(n["adadelta_eps_range"]) > 1.5  # ε sets the pace: a learning rate by another name


def check_lr_decay(n, r):
    assert set(n["best_lr"].values()) <= set(n["lr_grid"])


def check_batch_size(n, r):
    assert -1.2 < mean(n["log_log_slope_small_batches"]) < -0.8


def check_early_stopping(n, r):
    s = n["stats"]
    assert mean(s["best_epoch"]) < mean(s["stopped_epoch"]) <= n["epochs"]
    assert lo(n["full_minus_early_test_loss"]) > 0


def check_batchnorm(n, r):
    v = n["batch_std_ratio_last_first"]
    assert hi(v["default init"]) < 0.05 < 0.3 < lo(v["default init + batch norm"])
    assert lo(n["default_minus_bn_loss"]) > 0


def check_batchnorm_eval(n, r):
    assert lo(n["eval_minus_train_mode_b2"]) > 0.2  # forgetting model.eval() with tiny test batches
    assert lo(n["nan_features_eps0"]) > 0 and mean(n["nan_features_eps1e5"]) == 0


def check_dropout(n, r):
    assert all(mean(v) > 0.98 for v in n["train_acc"].values())  # the small training set is memorised
    assert lo(n["gap_none_minus"]["L2 0.01"]) > 0
    assert lo(n["ensemble_agreement"]) > 0.9
    tv = n["ensemble_tv"]
    assert hi(tv["100"]) < lo(tv["1"]) and hi(n["ensemble_tv_geometric"]["100"]) < lo(tv["100"])


def check_dropout_scaling(n, r):
    ratio = n["train_over_test_activation"]
    assert mean(ratio["torch"]) == pytest.approx(1, abs=0.02) and mean(ratio["slide"]) == pytest.approx(1, abs=0.02)
    assert lo(n["mixed_up_minus_right_loss"]) > 0.3


def check_augmentation(n, r):
    assert lo(n["gain_over_none_shifted"]["shift"]) > 0.1  # shifts help where the test digits are shifted


def check_backprop_by_hand(n, r):
    assert n["equal"] and n["worst_rel_diff"] < 1e-12
    assert mean(n["cos_slide_sign_gradient"]) == pytest.approx(-1)
    assert lo(n["loss_drop_true_step"]) > 0 > hi(n["loss_drop_slide_sign_step"])


CHECKS = {name: globals()[f"check_{name.replace('-', '_')}"] for name in labs.names()}


# --- the docs' numbers --------------------------------------------------------------------------------------------


def check_drift(r):
    """Each claim's numbers, over the seeds both runs share, must match the committed ones within the spread the
    docs state (the committed s.d. over seeds; a small floor for exact values)."""
    import numpy as np

    assert r.name in CLAIMS, f"docs/labs/claims.json has no {r.name}: regenerate the docs (README, Labs)"
    committed = CLAIMS[r.name]
    common = [s for s in r.seeds if s in committed["seeds"]]
    assert common, f"{r.name}: no seeds in common with the docs ({committed['seeds']})"
    by_key = {c["key"]: c for c in committed["claims"]}
    assert set(by_key) == {c["key"] for c in r.claims}, f"{r.name}: the claims differ from the docs'"
    for c in r.claims:
        if not c["drift"]:
            continue
        for name, stat in c["stats"].items():
            values = by_key[c["key"]]["stats"][name]
            if len(values) == 1 and len(committed["seeds"]) > 1:
                # a number that does not depend on the seed (the slide's worked example): one value, exact
                assert stat["values"] == pytest.approx(values, rel=1e-9), f"{r.name}/{c['key']}/{name}"
                continue
            k = len(values) // len(committed["seeds"])  # values per seed (several layers of one network, say)
            assert k * len(committed["seeds"]) == len(values) and k * len(r.seeds) == len(stat["values"]), (
                f"{r.name}/{c['key']}/{name}: not {k} values per seed")
            old = {s: values[i * k:(i + 1) * k] for i, s in enumerate(committed["seeds"])}
            new = {s: stat["values"][i * k:(i + 1) * k] for i, s in enumerate(r.seeds)}
            a = [v for s in common for v in old[s] if v is not None]
            b = [v for s in common for v in new[s] if v is not None]
            assert len(a) == len(b), f"{r.name}/{c['key']}/{name}: defined on other seeds than in the docs"
            if not a:
                continue
            every = [v for vs in old.values() for v in vs if v is not None]
            spread = float(np.std(every, ddof=1)) if len(every) > 1 else 0.0
            tol = spread + 1e-3 * abs(float(np.mean(a))) + 1e-9
            assert abs(np.mean(b) - np.mean(a)) <= tol, (
                f"{r.name}/{c['key']}/{name}: fresh mean {np.mean(b):.6g} vs docs {np.mean(a):.6g} over seeds "
                f"{common} — more than the stated spread {spread:.3g}: regenerate the docs if the lab changed")


@pytest.mark.slow
@pytest.mark.parametrize("name", labs.names())
def test_lab(name, tmp_path):
    r = labs.run(name, out=tmp_path, mode="live", echo=None)
    assert len(r.seeds) == 3 and r.claims and r.figures and r.conclusion
    assert all(c["slide"]["quote"] and c["textbook"] and c["measured"] for c in r.claims)
    assert any("±" in c["measured"] for c in r.claims)  # mean ± spread in the text
    assert all((tmp_path / name / f.path).stat().st_size > 5000 for f in r.figures)
    CHECKS[name](r.numbers, r)
    check_drift(r)
