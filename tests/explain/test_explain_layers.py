"""Layer-level backprop: δ = ∂L/∂(layer output) and ∂L/∂parameters per layer, against PyTorch (float64)."""

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.explain as ex
from chainrule import nn
from chainrule.cli import main


def _pair():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)).double()
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 5), torch.nn.ReLU(),
                                 torch.nn.Linear(5, 3)).double()
    with torch.no_grad():
        for (k, p), (tk, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
            assert k == tk
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
    return model, tmodel


def test_layers_match_torch_from_last_to_first():
    model, tmodel = _pair()
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    report = ex.layers(model, cr.from_numpy(x), cr.from_numpy(y), nn.CrossEntropyLoss())
    assert [lay.name for lay in report.layers] == ["4", "3", "2", "1", "0"]
    assert [lay.kind for lay in report.layers] == ["Linear", "ReLU", "Linear", "Tanh", "Linear"]
    outs = []
    h = torch.from_numpy(x)
    for m in tmodel:
        h = m(h)
        h.retain_grad()
        outs.append(h)
    loss = torch.nn.functional.cross_entropy(h, torch.from_numpy(y))
    loss.backward()
    assert report.loss == pytest.approx(loss.item(), rel=1e-12)
    for lay, t_out, t_mod in zip(report.layers, reversed(outs), reversed(list(tmodel))):
        assert lay.output_shape == tuple(t_out.shape)
        np.testing.assert_allclose(lay.grad_output, t_out.grad.numpy(), rtol=1e-9, atol=1e-12)
        for (pn, _value, grad), (tn, tp) in zip(lay.params, t_mod.named_parameters()):
            assert pn == tn
            np.testing.assert_allclose(grad, tp.grad.numpy(), rtol=1e-9, atol=1e-12)
        assert lay.by_hand is (True if lay.kind == "Linear" else None)
    assert all(p.grad is None for p in model.parameters())  # the model's .grad fields are left alone
    text = report.text()
    assert "δᵀ·in" in text and "CrossEntropyLoss" in text and "✗" not in text


def test_explain_model_on_a_saved_run(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--dataset", "xor", "--hidden", "4", "--epochs", "1", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["explain", "model", "--run", str(run), "--batch", "16"]) == 0
    out = capsys.readouterr().out
    assert "on a batch of 16" in out and "Linear" in out and "✓" in out
    assert main(["explain", "model", "--run", str(tmp_path / "nope")]) == 2
    assert "not found" in capsys.readouterr().err
