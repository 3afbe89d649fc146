"""The doctor: per-layer statistics (checked against PyTorch), the planted problems it must find, a healthy
network it must not alarm about, and that it leaves the model, optimizer and RNG as they were."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import doctor, nn, optim
from chainrule.doctor import planted


def codes(report, severity=("error", "warning")):
    return {f.code for f in report.findings if f.severity in severity}


@pytest.mark.parametrize("case, code", [("zero-init", "symmetry"), ("lr10", "exploding_loss"),
                                        ("saturation", "saturation"), ("dead-relu", "dead_relu")])
def test_planted_problem_is_found_as_an_error(case, code):
    model, loss_fn, batch, opt = planted(case)
    report = doctor.diagnose(model, loss_fn, batch, opt)
    assert code in codes(report, ("error",)), str(report)
    assert not report.healthy
    found = report.by_code(code)[0]
    assert found.fix and found.message


def test_zero_init_symmetry_counts_every_unit():
    model, loss_fn, batch, opt = planted("zero-init")
    stats = doctor.layer_stats(model, *batch, loss_fn)
    assert [s.identical_units for s in stats] == [64, 64, 10]
    assert all(s.grad_norm == 0 for s in stats)


def test_saturation_and_dead_fractions():
    model, loss_fn, batch, _ = planted("saturation")
    sat = [s.frac_saturated for s in doctor.layer_stats(model, *batch, loss_fn)[:2]]
    assert min(sat) > 0.8
    model, loss_fn, batch, _ = planted("dead-relu")
    assert [s.frac_dead for s in doctor.layer_stats(model, *batch, loss_fn)[:2]] == [1.0, 1.0]


def test_healthy_network_has_nothing_alarming():
    model, loss_fn, batch, opt = planted("healthy")
    report = doctor.diagnose(model, loss_fn, batch, opt)
    assert report.healthy, str(report)
    assert abs(report.loss - report.expected_loss) < 0.1  # ln 10 at initialisation
    assert report.probe_losses[-1] < report.probe_losses[0]
    assert all(1e-4 < s.update_ratio < 1e-1 for s in report.layers)
    assert "No problems found" in str(report)


def test_healthy_tanh_with_adam_and_batchnorm_dropout():
    cr.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.Tanh(), nn.Dropout(0.2),
                          nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 10))
    _, loss_fn, batch, _ = planted("healthy")
    report = doctor.diagnose(model, loss_fn, batch, optim.Adam(model.parameters(), lr=1e-3))
    assert report.healthy, str(report)
    assert [s.activation for s in report.layers] == ["tanh", "tanh", None]


def test_layer_stats_against_torch():
    torch = pytest.importorskip("torch")
    cr.manual_seed(3)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 5)), rng.integers(0, 3, 20)
    model = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 6), nn.ReLU(), nn.Linear(6, 3)).double()
    tm = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 6), torch.nn.ReLU(),
                             torch.nn.Linear(6, 3)).double()
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    stats = doctor.layer_stats(model, x, y, nn.CrossEntropyLoss())
    pres = []
    h = torch.from_numpy(x)
    for m in tm:
        h = m(h)
        if isinstance(m, torch.nn.Linear):
            h.retain_grad()
            pres.append(h)
    torch.nn.functional.cross_entropy(h, torch.from_numpy(y)).backward()
    linears = [m for m in tm if isinstance(m, torch.nn.Linear)]
    for s, lin, pre in zip(stats, linears, pres):
        assert s.grad_norm == pytest.approx(lin.weight.grad.norm().item(), rel=1e-10)
        assert s.delta_rms == pytest.approx(pre.grad.pow(2).mean().sqrt().item(), rel=1e-10)
        assert s.pre_mean == pytest.approx(pre.mean().item(), rel=1e-10, abs=1e-14)
        assert s.n_var_w == pytest.approx(lin.in_features * lin.weight.var(unbiased=False).item(), rel=1e-10)
    act = torch.tanh(pres[0])
    assert stats[0].act_std == pytest.approx(act.std(unbiased=False).item(), rel=1e-10)
    assert stats[1].frac_dead == pytest.approx((pres[1] <= 0).all(0).double().mean().item())


def test_layer_stats_leaves_everything_as_it_was():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    x, y = cr.randn(16, 4), cr.randint(0, 2, (16,))
    nn.CrossEntropyLoss()(model(x), y).backward()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    grads = [p.grad.numpy().copy() for p in model.parameters()]
    rng_state = cr.default_generator.get_state()
    stats = doctor.layer_stats(model, x, y, nn.CrossEntropyLoss(), bins=5)
    assert len(stats) == 2 and stats[0].hist[0].sum() == 16 * 8
    assert all(np.array_equal(v.numpy(), before[k]) for k, v in model.state_dict().items())
    assert all(np.array_equal(p.grad.numpy(), g) for p, g in zip(model.parameters(), grads))
    assert cr.default_generator.get_state() == rng_state
    assert model.training


def test_diagnose_undoes_its_probe_steps():
    model, loss_fn, batch, opt = planted("healthy")
    opt = optim.Adam(model.parameters(), lr=1e-3)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    report = doctor.diagnose(model, loss_fn, batch, opt, probe_steps=2)
    assert len(report.probe_losses) == 4
    assert all(np.array_equal(v.numpy(), before[k]) for k, v in model.state_dict().items())
    assert opt.state_dict()["state"] == {}  # Adam's moments were created by the probe and removed again


def test_lr_range_test_suggests_a_rate_and_restores_the_model():
    model, loss_fn, (X, y), opt = planted("healthy")
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    res = doctor.lr_range_test(model, loss_fn, opt, X, y, steps=60)
    assert 1e-3 < res["suggested_lr"] < 3
    assert res["suggested_lr"] == pytest.approx(res["min_loss_lr"] / 10)
    assert opt.param_groups[0]["lr"] == 0.1
    assert all(np.array_equal(v.numpy(), before[k]) for k, v in model.state_dict().items())


def test_errors_are_clear():
    with pytest.raises(ValueError, match="no layer with a weight matrix"):
        doctor.layer_stats(nn.Sequential(nn.ReLU()), cr.randn(3, 2))
    model, loss_fn, batch, _ = planted("healthy")
    with pytest.raises(ValueError, match="needs an optimizer"):
        doctor.diagnose(model, loss_fn, batch, lr_range=batch)
    with pytest.raises(ValueError, match="unknown doctor demo"):
        planted("nope")


def test_cli_demo_exit_code(capsys):
    from chainrule.cli import main

    assert main(["doctor", "--demo", "healthy"]) == 0
    assert "No problems found" in capsys.readouterr().out
    assert main(["doctor", "--demo", "saturation"]) == 1
    assert "[ERROR] saturation" in capsys.readouterr().out


def test_cli_on_a_saved_run(tmp_path, capsys):
    from chainrule.cli import main

    run = tmp_path / "run"
    assert main(["train", "--dataset", "digits", "--hidden", "16", "--epochs", "1", "--out", str(run)]) == 0
    capsys.readouterr()
    main(["doctor", "--run", str(run), "--batch-size", "128", "--lr-range"])
    out = capsys.readouterr().out
    assert "Linear(64→16)" in out and "LR range test: suggested learning rate" in out
    assert (run / "doctor.json").exists() and (run / "lr_range.png").exists()
    capsys.readouterr()
    assert main(["doctor", "--demo", "healthy", "--batch-size", "1"]) == 2
    assert "chainrule doctor: error: --batch-size must be at least 2" in capsys.readouterr().err
    assert main(["doctor", "--run", str(tmp_path / "missing")]) == 2
    assert "run folder not found" in capsys.readouterr().err
