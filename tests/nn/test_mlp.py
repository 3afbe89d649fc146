"""nn.mlp.build_mlp: the one MLP builder. Its layers, that a seed gives the weights the hand-written copies
gave (train, sklearn, the playground, the labs), its init schemes, and that every former copy calls it."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.nn.mlp import INIT_SCHEMES, build_mlp, init_linear

SRC = Path(cr.__file__).parent


def kinds(model):
    return [type(m).__name__ for m in model]


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        np.testing.assert_array_equal(np.asarray(sa[k]), np.asarray(sb[k]), err_msg=k)


def test_layers_in_the_lectures_order():
    model = build_mlp([4, 8, 6, 3], "relu", batchnorm=True, dropout=0.1)
    assert kinds(model) == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout",
                            "Linear"]
    assert kinds(build_mlp([2, 3, 1])) == ["Linear", "ReLU", "Linear"]
    assert kinds(build_mlp([2, 3, 1], None)) == ["Linear", "Linear"]  # no activation: a linear stack
    assert kinds(build_mlp([2, 3, 1], "linear")) == ["Linear", "Identity", "Linear"]
    assert kinds(build_mlp([5, 2])) == ["Linear"]
    per_layer = build_mlp([2, 4, 4, 1], ["tanh", "leakyrelu"], batchnorm=[True, False], dropout=[0.0, 0.5])
    assert kinds(per_layer) == ["Linear", "BatchNorm1d", "Tanh", "Linear", "LeakyReLU", "Dropout", "Linear"]
    assert kinds(build_mlp([2, 4, 1], nn.PReLU)) == ["Linear", "PReLU", "Linear"]


def test_a_seed_gives_the_hand_written_copies_weights():
    cr.manual_seed(3)
    by_hand = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 8),
                            nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 2))
    cr.manual_seed(3)
    same_weights(build_mlp([4, 8, 8, 2], "tanh", batchnorm=True, dropout=0.2), by_hand)

    def init(lin):  # the labs: each layer initialised as it is made
        nn.init.normal_(lin.weight, 0.0, 0.5)
        nn.init.zeros_(lin.bias)

    cr.manual_seed(4)
    layers = []
    for n_in, n_out in ((3, 5), (5, 5), (5, 1)):
        lin = nn.Linear(n_in, n_out)
        init(lin)
        layers += [lin, nn.Sigmoid()]
    by_hand = nn.Sequential(*layers[:-1])
    cr.manual_seed(4)
    same_weights(build_mlp([3, 5, 5, 1], "sigmoid", init=init), by_hand)


@pytest.mark.parametrize("scheme", INIT_SCHEMES)
def test_init_schemes_as_chainrule_train_applied_them(scheme):
    """Built first, then every Linear re-initialised with the activation's gain; biases 0."""
    cr.manual_seed(5)
    by_hand = nn.Sequential(nn.Linear(6, 7), nn.Tanh(), nn.Linear(7, 3))
    if scheme != "default":
        for m in by_hand:
            if isinstance(m, nn.Linear):
                init_linear(m, scheme, "tanh")
    cr.manual_seed(5)
    model = build_mlp([6, 7, 3], "tanh", init=scheme)
    same_weights(model, by_hand)
    if scheme == "xavier_uniform":
        w = model[0].weight.numpy()
        bound = 5 / 3 * math.sqrt(6 / (6 + 7))  # gain(tanh) · √(6 / (fan_in + fan_out))
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound
        assert not model[0].bias.numpy().any()
    if scheme == "zeros":
        assert not any(p.numpy().any() for p in model.parameters())


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown init 'he'"):
        build_mlp([2, 2, 1], init="he")
    with pytest.raises(ValueError, match="activation has 1 entries for 2 hidden layers"):
        build_mlp([2, 2, 2, 1], ["relu"])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        build_mlp([2, 2, 1], "swish")
    with pytest.raises(ValueError, match="at least"):
        build_mlp([3])


def test_the_faces_build_the_same_networks():
    from chainrule.playground.model import Network
    from chainrule.playground.protocol import default_config, validate_config
    from chainrule.train.config import resolve
    from chainrule.train.run import build_model

    cfg = resolve({}, {"hidden": [8, 8], "activation": "elu", "batchnorm": True, "dropout": 0.1})
    cr.manual_seed(0)
    model = build_model(cfg, 4, 3)
    cr.manual_seed(0)
    same_weights(model, build_mlp([4, 8, 8, 3], "elu", batchnorm=True, dropout=0.1))
    pg = {**default_config(), **validate_config({"networkShape": [3, 2], "activation": "leakyrelu",
                                                  "dropout": [0.0, 0.5], "batchNorm": [True, False]})}
    net = Network(pg)
    assert kinds(net.model) == ["Linear", "BatchNorm1d", "LeakyReLU", "Linear", "LeakyReLU", "Dropout", "Linear",
                                "Tanh"]
    assert net.taps == [2, 4, 7] and len(net.linears) == 3


def test_every_former_copy_calls_the_builder():
    callers = ["train/run.py", "sklearn.py", "playground/model.py", "doctor/cli.py"]
    for rel in callers:
        text = (SRC / rel).read_text()
        assert "build_mlp(" in text, rel
        assert not re.search(r"\bnn\.Linear\(", text), f"{rel} builds Linear layers by hand"
    assert "def mlp(" not in (SRC / "labs/_common.py").read_text()
    labs = [p for p in (SRC / "labs").glob("*.py") if "build_mlp(" in p.read_text()]
    assert len(labs) >= 10
