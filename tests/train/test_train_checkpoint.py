"""Checkpoints: a resumed run equals an uninterrupted one bit for bit; files are atomic and checked."""

import os

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import DataLoader, GaussianNoise, datasets
from chainrule.train import CSVLogger, EarlyStopping, History, ModelCheckpoint, fit, load_checkpoint


@pytest.fixture(scope="module")
def split():
    return datasets.load("wine")


def setup(split, seed):
    """Everything random in play: init, dropout, shuffling by the loader's own generator, an augmentation
    with its own generator, a schedule, momentum."""
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(13, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    X, y = split.train.tensors
    from chainrule.data import TensorDataset

    ds = TensorDataset(X, y, transform=GaussianNoise(0.05, generator=123))
    loader = DataLoader(ds, batch_size=16, shuffle=True, generator=cr.Generator().manual_seed(99))
    return model, opt, sched, loader


def rows(h):
    return {k: v for k, v in h.history.items() if k != "time"}


@pytest.mark.parametrize("streams", ["numpy", "torch"])  # torch: the default and loader generators are torch-kind
def test_resumed_run_equals_uninterrupted_run_bit_for_bit(split, tmp_path, streams, request):
    if streams == "torch":
        request.getfixturevalue("torch_streams")
    model, opt, sched, loader = setup(split, 0)
    full = fit(model, nn.CrossEntropyLoss(), opt, loader, split.val, epochs=6, metrics=["accuracy"], scheduler=sched,
               callbacks=[EarlyStopping(patience=100), ModelCheckpoint(tmp_path / "a")], verbose=False)

    m1, o1, s1, l1 = setup(split, 0)
    fit(m1, nn.CrossEntropyLoss(), o1, l1, split.val, epochs=3, metrics=["accuracy"], scheduler=s1,
        callbacks=[EarlyStopping(patience=100), ModelCheckpoint(tmp_path / "b")], verbose=False)
    cr.manual_seed(12345)  # whatever happened in between must not matter
    cr.rand(7)
    m2, o2, s2, l2 = setup(split, 1)  # other initial weights: all overwritten by the checkpoint
    es = EarlyStopping(patience=100)
    resumed = fit(m2, nn.CrossEntropyLoss(), o2, l2, split.val, epochs=6, metrics=["accuracy"], scheduler=s2,
                  callbacks=[es, ModelCheckpoint(tmp_path / "b")], verbose=False, resume=tmp_path / "b" / "last.ckpt")

    assert resumed.epoch == [1, 2, 3, 4, 5, 6]
    assert rows(resumed) == rows(full)
    for (k, a), b in zip(model.state_dict().items(), m2.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k
    sa, sb = opt.state_dict(), o2.state_dict()
    for i in sa["state"]:
        assert np.array_equal(sa["state"][i]["momentum_buffer"].numpy(), sb["state"][i]["momentum_buffer"].numpy())
    assert sched.state_dict() == s2.state_dict()
    assert es.best == full.best("val_loss")[1]


def test_checkpoint_contents_best_and_last(split, tmp_path):
    model, opt, sched, loader = setup(split, 0)
    h = fit(model, nn.CrossEntropyLoss(), opt, loader, split.val, epochs=4, scheduler=sched, verbose=False,
            callbacks=[ModelCheckpoint(tmp_path)])
    assert sorted(os.listdir(tmp_path)) == ["best.ckpt", "last.ckpt"]  # no temporary files left behind
    last = load_checkpoint(tmp_path / "last.ckpt")
    assert last["epoch"] == 4 and last["scheduler"]["last_epoch"] == 4
    best = load_checkpoint(tmp_path / "best.ckpt")
    assert best["epoch"] == h.best("val_loss")[0]
    fresh = nn.Sequential(nn.Linear(13, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    load_checkpoint(tmp_path / "last.ckpt", fresh)
    assert np.array_equal(fresh[1].running_mean.numpy(), model[1].running_mean.numpy())


def test_without_validation_the_best_checkpoint_follows_the_training_loss(split, tmp_path):
    model, opt, _, loader = setup(split, 0)
    h = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=3, verbose=False, callbacks=[ModelCheckpoint(tmp_path)])
    assert load_checkpoint(tmp_path / "best.ckpt")["epoch"] == h.best("loss")[0]


def test_bad_checkpoints_are_refused(split, tmp_path):
    cr.save({"weights": cr.zeros(3)}, tmp_path / "plain.ckpt")
    with pytest.raises(ValueError, match="not a chainrule training checkpoint"):
        load_checkpoint(tmp_path / "plain.ckpt")
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        load_checkpoint(tmp_path / "missing.ckpt")
    model, opt, sched, loader = setup(split, 0)
    fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=1, verbose=False, callbacks=[ModelCheckpoint(tmp_path)])
    m, o, _, lo = setup(split, 0)
    with pytest.raises(ValueError, match="scheduler"):  # saved with a scheduler? no: loaded into one
        fit(m, nn.CrossEntropyLoss(), o, lo, epochs=2, verbose=False, resume=tmp_path / "last.ckpt",
            scheduler=optim.lr_scheduler.StepLR(o, 1))


def test_csv_logger_writes_the_history(split, tmp_path):
    model, opt, _, loader = setup(split, 0)
    h = fit(model, nn.CrossEntropyLoss(), opt, loader, split.val, epochs=2, metrics=["accuracy"], verbose=False,
            callbacks=[CSVLogger(tmp_path / "h.csv")])
    text = (tmp_path / "h.csv").read_text()
    assert text.splitlines()[0] == "epoch,loss,accuracy,val_loss,val_accuracy,lr,time"
    back = History.from_csv(tmp_path / "h.csv")
    assert back.history == h.history and back.epoch == h.epoch  # repr() keeps every bit of a float
