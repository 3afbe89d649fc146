"""Short programs in the style of PyTorch's beginner tutorials ("Learning PyTorch with Examples"), run once
with ``torch`` and once with ``import chainrule as torch``, from the same initial values: the losses agree.
"""

import math
import random

import numpy as np
import pytest
import torch as real_torch

import chainrule

STEPS = 60


def polynomial_raw_autograd(torch, init):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in init["abcd"])
    learning_rate = 1e-6
    losses = []
    for _ in range(STEPS):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return losses


def _poly_features(torch):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    return x.unsqueeze(-1).pow(p), y


def polynomial_nn(torch, init):
    xx, y = _poly_features(torch)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model.load_state_dict({"0.weight": torch.tensor(init["w"]), "0.bias": torch.tensor(init["b"])})
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    losses = []
    for _ in range(STEPS):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    return losses


def polynomial_optim(torch, init):
    xx, y = _poly_features(torch)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    model.load_state_dict({"0.weight": torch.tensor(init["w"]), "0.bias": torch.tensor(init["b"])})
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(STEPS):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def polynomial_custom_function(torch, init):
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a, b, c, d = (torch.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    learning_rate = 5e-6
    losses = []
    for _ in range(STEPS):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for t in (a, b, c, d):
                t -= learning_rate * t.grad
                t.grad = None
    return losses


def dynamic_module(torch, init):
    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c, self.d, self.e = (torch.nn.Parameter(torch.tensor(v)) for v in init["abcde"])
            self.rng = random.Random(0)

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, self.rng.randint(4, 6)):  # Python control flow builds a different graph each time
                y = y + self.e * x**exp
            return y

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for _ in range(STEPS):
        loss = criterion(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def classifier(torch, init):
    X = torch.tensor(init["X"])
    labels = torch.tensor(init["labels"])
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    model.load_state_dict({k: torch.tensor(v) for k, v in init["mlp"].items()})
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, labels), batch_size=16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for _ in range(5):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return losses


def bigram_makemore(torch, init):
    """Karpathy's makemore, part 1: a bigram model as one linear layer on one-hot characters, updated
    through ``.data`` (the micrograd idiom)."""
    F = torch.nn.functional
    xs, ys = torch.tensor(init["xs"]), torch.tensor(init["ys"])
    W = torch.tensor(init["W27"], requires_grad=True)
    num = xs.nelement()
    losses = []
    for _ in range(20):
        xenc = F.one_hot(xs, num_classes=27).float()
        counts = (xenc @ W).exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
    return losses


def mlp_makemore(torch, init):
    """makemore, part 2 (Bengio et al. 2003): embeddings looked up by indexing, view(-1, n), tanh, cross
    entropy, a manual SGD loop over mini-batches, then the accuracy the usual way."""
    F = torch.nn.functional
    X, Y = torch.tensor(init["ctx"]), torch.tensor(init["ys"])
    C, W1, b1, W2, b2 = (torch.tensor(init[k]) for k in ("C", "W1", "b1", "W2", "b2"))
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    losses = []
    for i, ix in enumerate(init["batches"]):
        ix = torch.tensor(ix)
        emb = C[X[ix]]
        h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Y[ix])
        losses.append(loss.item())
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.5 if i < 20 else 0.05
        for p in parameters:
            p.data += -lr * p.grad
    with torch.no_grad():
        logits = torch.tanh(C[X].view(X.shape[0], -1) @ W1 + b1) @ W2 + b2
        accuracy = (logits.argmax(1) == Y).float().mean().item()
    assert 0 <= accuracy <= 1
    return losses + [-accuracy]


def _init():
    rng = np.random.default_rng(0)
    f32 = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    return {
        "abcd": [float(v) for v in f32(4)],
        "abcde": [float(v) * 0.01 for v in f32(5)],
        "w": f32(1, 3) * 0.3,
        "b": f32(1) * 0.3,
        "X": f32(64, 4),
        "labels": rng.integers(0, 3, 64),
        "mlp": {"0.weight": f32(16, 4) * 0.4, "0.bias": f32(16) * 0.1, "2.weight": f32(3, 16) * 0.2,
                "2.bias": f32(3) * 0.1},
        "xs": rng.integers(0, 27, 200), "ys": rng.integers(0, 27, 200), "W27": f32(27, 27),
        "ctx": rng.integers(0, 27, (200, 3)), "C": f32(27, 2), "W1": f32(6, 16) * 0.3, "b1": f32(16) * 0.1,
        "W2": f32(16, 27) * 0.1, "b2": f32(27) * 0.0, "batches": [rng.integers(0, 200, 32) for _ in range(30)],
    }


@pytest.mark.parametrize(
    "program",
    [polynomial_raw_autograd, polynomial_nn, polynomial_optim, polynomial_custom_function, dynamic_module,
     classifier, bigram_makemore, mlp_makemore],
)
def test_same_program_same_losses(program):
    import torch.utils.data  # noqa: F401  (so that `torch.utils.data` resolves for the real torch)

    init = _init()
    expected = program(real_torch, init)
    got = program(chainrule, _init())
    assert len(got) == len(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    assert got[-1] < got[0]
