"""Captured steps (``chainrule.graph``): a replay equals the eager step bit for bit, capturing takes no step,
what cannot be replayed says so, and nothing grows over many replays. (Every op in the op tests is also
captured and replayed on new values by tests/oracle.py's check_replay.)"""

import threading
import tracemalloc

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim

OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.05),
    "nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda p: optim.Adam(p, lr=0.01),
    "adamw-amsgrad": lambda p: optim.AdamW(p, lr=0.01, amsgrad=True),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01),
    "adadelta": lambda p: optim.Adadelta(p),
}
MODELS = {
    "tanh-mse": (lambda: nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1)),
                 nn.MSELoss, (2, 1), "float"),
    "relu-bn-dropout-ce": (lambda: nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3),
                                                 nn.Linear(16, 3)), nn.CrossEntropyLoss, (4, 3), "class"),
    "sigmoid-bce": (lambda: nn.Sequential(nn.Linear(3, 6), nn.Sigmoid(), nn.Linear(6, 1)), nn.BCEWithLogitsLoss,
                    (3, 1), "binary"),
}


def batches(n, n_in, n_out, kind, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = rng.standard_normal((12, n_in)).astype(np.float32)
        if kind == "float":
            y = rng.standard_normal((12, n_out)).astype(np.float32)
        elif kind == "class":
            y = rng.integers(0, n_out, 12)
        else:
            y = rng.integers(0, 2, (12, n_out)).astype(np.float32)
        out.append((x, y))
    return out


def setup(model_name, opt_name):
    make, loss_cls, _, _ = MODELS[model_name]
    cr.manual_seed(0)
    model = make()
    return model, loss_cls(), OPTIMIZERS[opt_name](model.parameters())


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
@pytest.mark.parametrize("model_name", MODELS)
def test_a_replayed_training_step_equals_the_eager_step_bit_for_bit(model_name, opt_name):
    _, _, (n_in, n_out), kind = MODELS[model_name]
    data = batches(6, n_in, n_out, kind)
    model, loss_fn, opt = setup(model_name, opt_name)
    eager = []
    for x, y in data:
        opt.zero_grad()
        loss = loss_fn(model(cr.tensor(x)), cr.tensor(y))
        loss.backward()
        opt.step()
        eager.append(loss.item())
    eager_params = [p.detach().numpy().copy() for p in model.parameters()]

    model, loss_fn, opt = setup(model_name, opt_name)
    sx, sy = cr.tensor(data[0][0]), cr.tensor(data[0][1])

    def step():
        opt.zero_grad()
        loss = loss_fn(model(sx), sy)
        loss.backward()
        opt.step()
        return loss

    replayed = [step().item()]  # one eager warm-up step creates the optimizer's state (torch's rule)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    g = cr.Graph()
    with cr.graph(g):
        static_loss = step()
    assert all(np.array_equal(a, p.detach().numpy()) for a, p in zip(before, model.parameters())), \
        "capturing must not take a step"
    for x, y in data[1:]:
        with cr.no_grad():
            sx.copy_(cr.tensor(x))
            sy.copy_(cr.tensor(y))
        g.replay()
        replayed.append(static_loss.item())
    assert replayed == eager  # bit for bit, dropout masks included
    for a, p in zip(eager_params, model.parameters()):
        np.testing.assert_array_equal(a, p.detach().numpy())


def test_what_cannot_be_replayed_says_so():
    x = cr.tensor([1.0, -2.0, 3.0])
    g = cr.Graph()
    with cr.graph(g):
        y = x * 2 if float(x.sum()) > 0 else x * 3  # Python control flow on a value
    with cr.no_grad():
        x.copy_(cr.tensor([-5.0, 1.0, 1.0]))
    with pytest.raises(cr.CaptureError, match="changed since the capture"):
        g.replay()
    assert y.tolist() == [2.0, -4.0, 6.0]

    g = cr.Graph()
    with cr.graph(g):
        idx = cr.nonzero(x > 0)  # a shape that depends on the data
    with cr.no_grad():
        x.copy_(cr.tensor([1.0, 1.0, 1.0]))
    with pytest.raises(cr.CaptureError, match="depends on the data"):
        g.replay()
    assert idx.shape == (2, 1)

    # NumPy code on a tensor's values would run once, at capture (eye[y.numpy()] would keep the first targets)
    eye = np.eye(3, dtype=np.float32)
    with pytest.raises(cr.CaptureError, match=r"numpy\(\) inside a captured region"), cr.graph(cr.Graph()):
        cr.from_numpy(eye[cr.tensor([0, 2]).numpy()])


def test_optimizer_state_and_hyperparameters_are_checked():
    model = nn.Linear(2, 1)
    opt = optim.Adam(model.parameters(), lr=0.1)
    x = cr.ones(4, 2)

    def step():
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()

    with pytest.raises(cr.CaptureError, match="run one eager step before capturing"):
        with cr.graph(cr.Graph()):
            step()
    step()
    g = cr.Graph()
    with cr.graph(g):
        step()
    g.replay()
    opt.param_groups[0]["lr"] = 0.01  # what a scheduler does
    with pytest.raises(cr.CaptureError, match="capture the step again"):
        g.replay()


@pytest.mark.slow
def test_replays_do_not_grow_memory_and_eager_steps_neither():
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = cr.randn(10, 2), cr.randn(10, 1)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    step()
    g = cr.Graph()
    with cr.graph(g):
        step()
    for run in (g.replay, step):
        for _ in range(3000):  # until CPython's free lists are full: 2,000 tuples of each size (56 B each for a
            run()              # pair) stay allocated for reuse, and tracemalloc counts them
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            run()
        grown = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        assert grown < 64 * 1024, f"{run.__name__}: {grown} bytes more after 10,000 steps"


def test_another_thread_computes_normally_while_one_captures():
    a = cr.tensor([1.0, 2.0])
    started, release, results = threading.Event(), threading.Event(), []

    def other():
        started.wait()
        results.append((a * 10).tolist())  # eager, on a thread that is not capturing
        release.set()

    t = threading.Thread(target=other)
    t.start()
    g = cr.Graph()
    with cr.graph(g):
        b = a + 1
        started.set()
        release.wait(10)
    t.join()
    assert results == [[10.0, 20.0]] and b.tolist() == [2.0, 3.0] and len(g._tape) == 1


def test_torchs_cuda_graph_names_exist_and_share_the_context():
    assert issubclass(cr.cuda.CUDAGraph, cr.Graph) and cr.cuda.graph is cr.graph
