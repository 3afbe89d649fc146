"""The playground's network, data and training rule, built only from chainrule's public API.

Network: ``nn.Sequential`` of blocks ``Linear → [BatchNorm1d] → activation → [Dropout]`` and an output
``Linear`` (+ ``Tanh`` for TF Playground's classification under squared error). ``taps`` are the indices in
the Sequential whose outputs are each layer's activations (the neuron thumbnails).

Training (TF Playground's rule under "SGD + squared error", extended to any optimizer):

    E = mean over the batch of ½(o − t)²          (batch-mean gradient = TF's accumulated-then-averaged one)
    w ← optimizer step on ∂E/∂w                    (SGD: w − lr·∂E/∂w)
    w ← w − lr·rate·R′(w_before)                   (weights only; biases are never regularised)
        L2: R′(w) = w;  L1: R′(w) = sign(w), and a weight that this step pushes across 0 is set to 0 and
        frozen for good ("dead link")

Points left over after the last full batch of an epoch are carried into the next epoch's first batch.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

import chainrule as cr
from chainrule import nn
from chainrule.nn.mlp import build_mlp

from .protocol import FEATURE_NAMES, FEATURES


def _datasets():
    try:
        from chainrule.data import datasets
    except ImportError:  # the data helper's module name before it settled
        from chainrule.data import toy as datasets
    return datasets


CLASSIFICATION_SETS = {"circle": "circle", "xor": "xor", "gauss": "gaussian", "spiral": "spiral"}
REGRESSION_SETS = {"reg-plane": "plane", "reg-gauss": "multi_gaussian"}
MULTICLASS_SETS = {"spiral-k": "spiral_k", "blobs": "blobs"}


# ------------------------------------------------------------------------------------------------ data
def dataset_name(cfg) -> str:
    return {"classification": cfg["dataset"], "regression": cfg["regDataset"],
            "multiclass": cfg["mcDataset"]}[cfg["problem"]]


def generate(cfg, n_samples=None, noise=None):
    """(X (n, 2), labels (n,)) for the configured built-in dataset; labels ±1, a number, or class ids."""
    ds, name, problem = _datasets(), dataset_name(cfg), cfg["problem"]
    noise = cfg["noise"] / 100 if noise is None else noise
    if problem == "classification":
        return getattr(ds, CLASSIFICATION_SETS[name])(n_samples or 500, noise, cfg["seed"])
    if problem == "regression":
        return getattr(ds, REGRESSION_SETS[name])(n_samples or 1200, noise, cfg["seed"])
    fn = getattr(ds, MULTICLASS_SETS[name])
    return fn(n_classes=cfg["nClasses"], n_samples=n_samples or 500, noise=noise, seed=cfg["seed"])


def split(X, y, perc_train):
    """TF Playground: the (already shuffled) points split at floor(n · ratio)."""
    n_train = len(X) * perc_train // 100
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def feature_names(cfg):
    return [FEATURE_NAMES[f] for f in FEATURES if cfg[f]]


def features(X, names):
    """The input columns as float32 (an empty selection still gives an (n, 0) array)."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    if not names:
        return np.zeros((len(X), 0), np.float32)
    return _datasets().feature_map(X, names).astype(np.float32)


def targets(y, cfg):
    """Labels as the loss wants them: (n, 1) float, or (n,) int64 class indices for multiclass."""
    y = np.asarray(y)
    if cfg["problem"] == "multiclass":
        return y.astype(np.int64)
    return y.astype(np.float32).reshape(-1, 1)


# ------------------------------------------------------------------------------------------------ network
def per_layer(values, n, fill):
    values = list(values)[:n]
    return values + [fill] * (n - len(values))


def n_outputs(cfg) -> int:
    return cfg["nClasses"] if cfg["problem"] == "multiclass" else 1


def effective_loss(cfg) -> str:
    """Cross-entropy needs classes: for regression the loss is always squared error."""
    return "mse" if cfg["problem"] == "regression" else cfg["loss"]


def output_kind(cfg) -> str:
    """What the last module produces: 'tanh' (TF classification), 'linear', 'logit' (binary CE), 'softmax'."""
    if cfg["problem"] == "multiclass":
        return "softmax"
    if cfg["problem"] == "regression":
        return "linear"
    return "logit" if effective_loss(cfg) == "ce" else "tanh"


class Network:
    """An ``nn.Sequential`` plus where each layer's output is, its Linear layers and their dead links."""

    def __init__(self, cfg):
        shape = cfg["networkShape"]
        L = len(shape)
        # the activation names are TF Playground's ("linear", "leakyrelu"): nn.activation_registry aliases
        acts = [a or cfg["activation"] for a in per_layer(cfg["layerActivations"], L, "")]
        bns = per_layer(cfg["batchNorm"], L, False)
        drops = per_layer(cfg["dropout"], L, 0.0)
        n_in = len(feature_names(cfg))
        self.model = build_mlp([n_in, *shape, n_outputs(cfg)], acts, batchnorm=bns, dropout=drops)
        self.kind = output_kind(cfg)
        if self.kind == "tanh":
            self.model.append(nn.Tanh())
        mods = list(self.model)
        self.linears = [m for m in mods if isinstance(m, nn.Linear)]
        self.taps = _taps(mods)
        self.activations = acts
        self.sizes = [n_in] + list(shape) + [n_outputs(cfg)]
        self.dead = [np.zeros(lin.weight.shape, bool) for lin in self.linears]

    def initialise(self, scheme: str, generator):
        """Fill the Linear layers with ``nn.init`` (see ``INIT``); other parameters keep their defaults."""
        for lin in self.linears:
            if lin.weight.numel() == 0:  # no inputs switched on: nothing to draw
                continue
            INIT[scheme](lin.weight, generator)
            nn.init.constant_(lin.bias, 0.1 if scheme == "tf" else 0.0)

    def forward_taps(self, x):
        """Every layer's output for a batch, in one forward pass: [hidden 1, ..., hidden L, output]."""
        outs, taps = [], set(self.taps)
        for i, module in enumerate(self.model):
            x = module(x)
            if i in taps:
                outs.append(x)
        return outs

    def weight_params(self):
        return [lin.weight for lin in self.linears]

    def other_params(self):
        ids = {id(p) for p in self.weight_params()}
        return [p for p in self.model.parameters() if id(p) not in ids]


def _taps(mods):
    """Where each layer's output is: per Linear, the last module of its block that is not a Dropout (the
    activation; for the output layer the Linear or its Tanh head)."""
    starts = [i for i, m in enumerate(mods) if isinstance(m, nn.Linear)]
    taps = []
    for start, end in zip(starts, starts[1:] + [len(mods)]):
        j = end - 1
        while j > start and isinstance(mods[j], nn.Dropout):
            j -= 1
        taps.append(j)
    return taps


# Weight initialisations (biases are 0, except TF Playground's 0.1), all from chainrule.nn.init:
#   tf: U(−0.5, 0.5) (TF Playground)   zeros: 0 (the symmetry never breaks)   small: N(0, 0.01²)
#   large: N(0, 4²) (tanh/sigmoid units start saturated: the lectures' "too large" case)
#   lecun: N(0, 1/fan_in)   xavier: U(±√(6/(fan_in + fan_out)))   he: N(0, 2/fan_in)
INIT = {
    "tf": lambda w, g: nn.init.uniform_(w, -0.5, 0.5, generator=g),
    "zeros": lambda w, g: nn.init.zeros_(w),
    "small": lambda w, g: nn.init.normal_(w, 0.0, 0.01, generator=g),
    "large": lambda w, g: nn.init.normal_(w, 0.0, 4.0, generator=g),
    "lecun": lambda w, g: nn.init.lecun_normal_(w, generator=g),
    "xavier": lambda w, g: nn.init.xavier_uniform_(w, generator=g),
    "he": lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g),
}


def init_generator(seed: int, resets: int):
    """The weights' random stream: the URL's seed and how many times Reset was pressed."""
    return cr.Generator().manual_seed(seed * 1_000_003 + resets)


def dropout_generator(seed: int, resets: int):
    """The dropout masks' stream (``nn.Dropout`` draws from chainrule's default generator)."""
    return cr.Generator().manual_seed(seed * 1_000_003 + resets + 7)


_DEFAULT_RNG = threading.Lock()


@contextlib.contextmanager
def dropout_rng(session):
    """Run with the default generator set to this session's dropout stream, so that the same URL gives the
    same dropout masks however many tabs train at once (sessions with dropout take turns; others skip)."""
    if not any(p > 0 for p in session.cfg["dropout"][:len(session.cfg["networkShape"])]):
        yield
        return
    g = cr.default_generator
    with _DEFAULT_RNG:
        saved = g.get_state()
        g.set_state(session.dropout_state)
        try:
            yield
        finally:
            session.dropout_state = g.get_state()
            g.set_state(saved)


def init_scheme(cfg) -> str:
    return "zeros" if cfg["initZero"] else cfg["init"]


# ------------------------------------------------------------------------------------------------ training
def make_loss(cfg):
    """loss(output, target) for the configured problem and loss function."""
    kind, loss = output_kind(cfg), effective_loss(cfg)
    if kind == "softmax" and loss == "ce":
        return nn.CrossEntropyLoss()
    if kind == "softmax":  # squared error between the softmax and the one-hot target, ½‖p − t‖² per point
        classes = cr.arange(cfg["nClasses"])

        def mse_softmax(logits, y):
            t = (y.unsqueeze(1) == classes).float()  # one-hot with tensor ops only: a replayed step recomputes it
            return ((logits.softmax(dim=1) - t) ** 2).sum(dim=1).mean() * 0.5
        return mse_softmax
    if kind == "logit":
        bce = nn.BCEWithLogitsLoss()
        return lambda z, t: bce(z, (t + 1) * 0.5)  # labels ±1 → 0/1
    mse = nn.MSELoss()
    return lambda o, t: mse(o, t) * 0.5  # TF's ½(o − t)², averaged over the batch


def make_optimizer(cfg, net: Network):
    from chainrule import optim

    params = list(net.model.parameters())
    lr, name = cfg["learningRate"], cfg["optimizer"]
    if name == "sgd":
        return optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return optim.SGD(params, lr=lr, momentum=cfg["momentum"], nesterov=name == "nesterov")
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, alpha=cfg["alpha"])
    return optim.Adam(params, lr=lr, betas=(cfg["beta1"], cfg["beta2"]))


def update_hyperparameters(opt, cfg, lr):
    for group in opt.param_groups:
        group["lr"] = lr
        if "momentum" in group and cfg["optimizer"] in ("momentum", "nesterov"):
            group["momentum"] = cfg["momentum"]
        if "betas" in group:
            group["betas"] = (cfg["beta1"], cfg["beta2"])
        if "alpha" in group:
            group["alpha"] = cfg["alpha"]


def scheduled_lr(cfg, epoch: int) -> float:
    """The learning rate for an epoch (PyTorch's StepLR / ExponentialLR / CosineAnnealingLR closed forms)."""
    base, s = cfg["learningRate"], cfg["schedule"]
    if s == "step":
        return base * cfg["gamma"] ** (epoch // cfg["stepSize"])
    if s == "exp":
        return base * cfg["gamma"] ** epoch
    if s == "cosine":
        return base * (1 + np.cos(np.pi * epoch / cfg["tMax"])) / 2
    return base


def regularise(net: Network, before, kind: str, lr: float, rate: float):
    """TF Playground's regularisation step on the weights (see the module docstring)."""
    for lin, w_old, dead in zip(net.linears, before, net.dead):
        w = lin.weight.detach().numpy()  # the weights' memory: updated in place below
        if kind == "L2" and rate > 0:
            w -= lr * rate * w_old
        elif kind == "L1" and rate > 0:
            new = w - lr * rate * np.sign(w_old)
            crossed = (w * new) < 0
            dead |= crossed
            w[...] = new
        if dead.any():
            w[dead] = 0.0
