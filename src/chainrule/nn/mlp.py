"""The one MLP builder: ``build_mlp`` gives the ``nn.Sequential`` that ``chainrule train``, the scikit-learn
estimators, the playground and the labs train.

    build_mlp([64, 128, 10], "relu", batchnorm=True, dropout=0.2)
    # Sequential(Linear(64, 128), BatchNorm1d(128), ReLU(), Dropout(p=0.2), Linear(128, 10))

``sizes`` are the widths from the input to the output. Each hidden layer is ``Linear → [BatchNorm1d] →
activation → [Dropout]`` (batch norm on the pre-activations, dropout on the activations); the output layer is
a plain ``Linear`` (append a head to the Sequential if one is wanted). The modules are created in that order,
so a seed gives the same initial weights as writing the layers out by hand.

``init`` re-initialises every ``Linear`` (the output one too): a name from ``INIT_SCHEMES`` applies that
scheme once the network is built, with the gain of the hidden activation where the scheme has one, biases 0
(``"default"`` keeps PyTorch's: Kaiming-uniform with a = √5, bias U(±1/√fan_in)); a function
``init(linear)`` is called on each ``Linear`` as soon as it is made, before the next layer is drawn (the
labs' way: with a seed, the same weights as initialising each layer by hand as it is written out).
"""

from __future__ import annotations

from . import activation_registry
from . import init as nn_init
from .batchnorm import BatchNorm1d
from .container import Sequential
from .dropout import Dropout
from .linear import Linear

INIT_SCHEMES = ("default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform",
                "lecun_normal", "normal", "uniform", "zeros")


def build_mlp(sizes, activation="relu", *, batchnorm=False, dropout=0.0, init="default") -> Sequential:
    """An MLP as an ``nn.Sequential`` (see the module docstring).

    ``activation``: a name from ``nn.activation_registry`` (``"relu"``, ``"logistic"``, ``"linear"``...), a
    module class or zero-argument factory (``nn.ReLU``), None for no activation module (a stack of linear
    layers), or a list with one of those per hidden layer. ``batchnorm`` (bool) and ``dropout`` (probability)
    are one value for every hidden layer or a list, one per hidden layer. ``init``: a name from
    ``INIT_SCHEMES`` or a function of each ``Linear`` (see the module docstring).
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or any(s < 0 for s in sizes):
        raise ValueError(f"build_mlp: sizes must be at least [n_in, n_out], all >= 0, got {sizes}")
    if not callable(init) and init not in INIT_SCHEMES:
        raise ValueError(f"build_mlp: unknown init {init!r}; choose one of: {', '.join(INIT_SCHEMES)}, or a "
                         "function of a Linear")

    def linear(width_in, width_out):
        layer = Linear(width_in, width_out)
        if callable(init):
            init(layer)
        return layer

    n_hidden = len(sizes) - 2
    acts = _per_layer(activation, n_hidden, "activation")
    norms = _per_layer(batchnorm, n_hidden, "batchnorm")
    drops = _per_layer(dropout, n_hidden, "dropout")
    layers = []
    for width_in, width, act, norm, p in zip(sizes, sizes[1:-1], acts, norms, drops):
        layers.append(linear(width_in, width))
        if norm:
            layers.append(BatchNorm1d(width))
        if act is not None:
            layers.append(activation_registry.module(act) if isinstance(act, str) else act())
        if p > 0:
            layers.append(Dropout(p))
    layers.append(linear(sizes[-2], sizes[-1]))
    model = Sequential(*layers)
    if isinstance(init, str) and init != "default":
        if isinstance(activation, (list, tuple)):  # the output layer takes the last hidden activation's gain
            gains = [_gain(a) for a in acts] + [_gain(acts[-1]) if acts else "linear"]
        else:  # one activation: its gain for every layer, the output one too (as chainrule train always did)
            gains = [_gain(activation)] * (n_hidden + 1)
        for linear, gain in zip((m for m in model if isinstance(m, Linear)), gains):
            init_linear(linear, init, gain)
    return model


def init_linear(linear, scheme: str, gain: str = "linear"):
    """Re-initialise one ``Linear`` in place by ``scheme`` (one of ``INIT_SCHEMES``); its bias becomes 0.

    ``gain`` is ``nn.init.calculate_gain``'s name of the activation after it (``activation_registry``'s
    ``gain``): Xavier scales by it; Kaiming uses it when it is relu or leaky_relu, else relu's.
    """
    w = linear.weight
    if scheme == "xavier_uniform":
        nn_init.xavier_uniform_(w, gain=nn_init.calculate_gain(gain))
    elif scheme == "xavier_normal":
        nn_init.xavier_normal_(w, gain=nn_init.calculate_gain(gain))
    elif scheme in ("kaiming_uniform", "kaiming_normal"):
        getattr(nn_init, scheme + "_")(w, nonlinearity=gain if gain in ("relu", "leaky_relu") else "relu")
    elif scheme in ("lecun_uniform", "lecun_normal"):
        getattr(nn_init, scheme + "_")(w)
    elif scheme == "normal":
        nn_init.normal_(w, 0.0, 0.01)  # "small random numbers": fine for shallow nets, vanishes in deep ones
    elif scheme == "uniform":
        nn_init.uniform_(w, -0.05, 0.05)
    elif scheme == "zeros":
        nn_init.zeros_(w)  # every unit of a layer stays identical: the symmetry that random init breaks
    elif scheme != "default":
        raise ValueError(f"init_linear: unknown scheme {scheme!r}; choose one of: {', '.join(INIT_SCHEMES)}")
    if linear.bias is not None:
        nn_init.zeros_(linear.bias)


def _per_layer(value, n, what):
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"build_mlp: {what} has {len(value)} entries for {n} hidden layers")
        return list(value)
    return [value] * n


def _gain(act) -> str:
    if act is None:
        return "linear"
    entry = activation_registry.get(act) if isinstance(act, str) else activation_registry.of_module(act)
    return entry.gain if entry is not None else "linear"


__all__ = ["build_mlp", "init_linear", "INIT_SCHEMES"]
