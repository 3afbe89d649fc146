"""chainrule.utils.tensorboard.SummaryWriter: event files that tensorboard's EventAccumulator reads back."""

import os
import sys

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.utils.tensorboard import SummaryWriter
from extras import require

require("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402


def read(path):
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    acc.Reload()
    return acc


def test_scalars_with_steps_and_value_types(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step, v in enumerate([1.5, np.float32(0.5), cr.tensor(0.25), cr.tensor([0.125]), 2]):
            w.add_scalar("train/loss", v, step)
        w.add_scalar("nan", float("nan"), 0)
    acc = read(tmp_path)
    assert [(e.step, e.value) for e in acc.Scalars("train/loss")] == [(0, 1.5), (1, 0.5), (2, 0.25), (3, 0.125),
                                                                      (4, 2.0)]
    assert np.isnan(acc.Scalars("nan")[0].value)
    assert w.get_logdir() == str(tmp_path)


def test_add_scalars_writes_one_run_per_curve(tmp_path):
    w = SummaryWriter(tmp_path)
    for step in range(3):
        w.add_scalars("loss", {"train": 1.0 / (step + 1), "val": 2.0 / (step + 1)}, step)
    w.close()
    assert {"loss_train", "loss_val"} <= set(os.listdir(tmp_path))
    assert [e.value for e in read(tmp_path / "loss_val").Scalars("loss")] == [2.0, 1.0, pytest.approx(2 / 3)]
    assert [e.value for e in read(tmp_path / "loss_train").Scalars("loss")] == [1.0, 0.5, pytest.approx(1 / 3)]


def test_histogram_statistics_and_buckets(tmp_path):
    values = np.random.default_rng(0).normal(size=(50, 20))
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("w", cr.from_numpy(values.astype(np.float32)), 7)
        w.add_histogram("w10", values, 8, bins=10)
    h = read(tmp_path).Histograms("w")[0]
    assert h.step == 7
    hv = h.histogram_value
    v32 = values.astype(np.float32).astype(np.float64)
    assert hv.num == 1000 and hv.min == pytest.approx(v32.min()) and hv.max == pytest.approx(v32.max())
    assert hv.sum == pytest.approx(v32.sum()) and hv.sum_squares == pytest.approx((v32 ** 2).sum())
    assert sum(hv.bucket) == 1000 and hv.bucket_limit == sorted(hv.bucket_limit)
    h10 = read(tmp_path).Histograms("w10")[0].histogram_value
    assert len(h10.bucket) == 10 and sum(h10.bucket) == 1000


def test_histogram_refuses_non_finite_and_empty_values(tmp_path):
    with SummaryWriter(tmp_path) as w:
        with pytest.raises(ValueError, match=r"add_histogram\('g'\): 2 of 4 values are NaN or infinite"):
            w.add_histogram("g", [1.0, np.nan, np.inf, 2.0])
        with pytest.raises(ValueError, match="no values"):
            w.add_histogram("g", np.zeros(0))
        with pytest.raises(ValueError, match=r"add_scalar\('s'\): a scalar needs exactly one value, got shape \(3,\)"):
            w.add_scalar("s", np.ones(3))


def test_text_figure_and_purge_step(tmp_path):
    matplotlib = require("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5), dpi=50)
    fig.add_subplot().plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path, purge_step=5) as w:
        w.add_text("config", "lr = **0.1**", 0)
        w.add_figure("curve", fig, 1)
    acc = read(tmp_path)
    (img,) = acc.Images("curve")
    assert (img.width, img.height) == (100, 75) and img.encoded_image_string[:8] == b"\x89PNG\r\n\x1a\n"
    (text,) = acc.Tensors("config/text_summary")
    assert text.tensor_proto.string_val == [b"lr = **0.1**"]
    assert matplotlib  # (imported for the figure)


def test_hparams_for_the_hparams_dashboard(tmp_path):
    from tensorboard.plugins.hparams import plugin_data_pb2

    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.01, "optimizer": "adam", "batchnorm": True, "hidden": [64, 64]},
                      {"hparam/accuracy": 0.9}, run_name="trial-1")
        with pytest.raises(TypeError, match="'f' is a set; hyperparameters are numbers, strings, bools"):
            w.add_hparams({"f": {1}}, {})
    acc = read(tmp_path / "trial-1")
    content = acc.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    hp = start.session_start_info.hparams
    assert hp["lr"].number_value == 0.01 and hp["optimizer"].string_value == "adam" and hp["batchnorm"].bool_value
    assert hp["hidden"].string_value == "[64, 64]"
    exp = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    assert [m.name.tag for m in exp.metric_infos] == ["hparam/accuracy"]
    assert acc.Scalars("hparam/accuracy")[0].value == pytest.approx(0.9)


def test_graph_groups_the_engine_ops_by_module(tmp_path):
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2), nn.Tanh()))
    m.train()
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    with SummaryWriter(tmp_path) as w:
        w.add_graph(m, cr.randn(1, 3))
    g = read(tmp_path).Graph()
    nodes = {n.name: n for n in g.node}
    assert nodes["input"].op == "Input" and nodes["Sequential/Linear[0]/weight"].op == "Parameter"
    relu = next(n for n in g.node if n.op == "Relu")
    assert relu.name.startswith("Sequential/ReLU[2]/") and relu.input[0].startswith("Sequential/BatchNorm1d[1]/")
    tanh = next(n for n in g.node if n.op == "Tanh")
    assert tanh.name.startswith("Sequential/Sequential[3]/Tanh[1]/")
    assert [d.size for d in tanh.attr["_output_shapes"].list.shape[0].dim] == [1, 2]
    assert m.training and all((before[k] == v.numpy()).all() for k, v in m.state_dict().items())  # untouched
    assert all(p.grad is None for p in m.parameters())


def test_missing_tensorboard_package_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[tensorboard\]'"):
        SummaryWriter(tmp_path)
