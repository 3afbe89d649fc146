"""nn.activation_registry: one table of activations, and every face (train, sklearn, the playground and its
export, the doctor, the labs) resolves its names there instead of keeping a table of its own."""

import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.nn import activation_registry as registry

SRC = Path(cr.__file__).parent
ACTIVATION_CLASSES = [a.module.__name__ for a in registry.ACTIVATIONS.values()]

# What each face's names meant before the registry (its own table): the registry must give the same modules.
FORMER_MEANING = {
    "train": {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU,
              "gelu": nn.GELU, "silu": nn.SiLU, "softplus": nn.Softplus, "linear": nn.Identity},
    "sklearn": {"relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid, "sigmoid": nn.Sigmoid,
                "identity": nn.Identity, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU, "silu": nn.SiLU,
                "softplus": nn.Softplus},
    "playground": {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
                   "leakyrelu": nn.LeakyReLU, "elu": nn.ELU, "prelu": nn.PReLU, "softplus": nn.Softplus,
                   "gelu": nn.GELU},
}


def offered():
    from chainrule.labs.activations import NAMES as lab_names
    from chainrule.playground.protocol import ACTIVATIONS as playground
    from chainrule.sklearn import _ACTIVATIONS as sklearn
    from chainrule.train.config import CHOICES

    return {"train": CHOICES["activation"], "sklearn": sklearn, "playground": playground, "labs": lab_names}


def test_every_name_a_face_offers_resolves_to_what_it_meant():
    faces = offered()
    for face, names in faces.items():
        for name in names:
            entry = registry.get(name)
            if face in FORMER_MEANING:
                assert entry.module is FORMER_MEANING[face][name], (face, name)
    assert set(faces["playground"]) == set(FORMER_MEANING["playground"])
    assert list(faces["train"]) == list(FORMER_MEANING["train"])  # the CLI's order, as its messages list it


@pytest.mark.parametrize("name", registry.names())
def test_module_and_function_agree(name):
    entry = registry.get(name)
    x = cr.tensor(np.linspace(-3, 3, 13), dtype=cr.float64)
    m = registry.module(name).double()
    expected = m(x).numpy()
    got = entry.function(x, m.weight) if name == "prelu" else registry.function(name)(x)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    assert registry.of_module(m) is entry and registry.of_module(type(m)) is entry
    assert registry.get(type(m).__name__) is entry  # the class name is a name too
    nn.init.calculate_gain(entry.gain)  # a gain nn.init knows


def test_the_doctor_reads_the_registry():
    from chainrule import doctor

    assert doctor.ACTIVATIONS == {"Sigmoid": "sigmoid", "Tanh": "tanh", "ReLU": "relu", "LeakyReLU": "leaky_relu",
                                  "PReLU": "prelu", "ELU": "elu", "Softplus": "softplus", "GELU": "gelu",
                                  "SiLU": "silu", "ReLU6": "relu", "Hardtanh": "tanh", "Softsign": "softsign"}
    assert doctor.RELU_FAMILY == {"relu", "leaky_relu", "prelu", "elu", "gelu", "silu"}
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU6(), nn.Linear(5, 5), nn.Hardtanh(), nn.Linear(5, 2))
    stats = doctor.layer_stats(model, np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32))
    assert [s.activation for s in stats] == ["relu", "tanh", None]


def test_the_playground_export_writes_the_registry_class():
    from chainrule.playground.script import act_code  # the exported script's text lives in script.py

    assert act_code("leakyrelu") == "nn.LeakyReLU()" and act_code("linear") == "nn.Identity()"
    assert nn.LeakyReLU().negative_slope == 0.01  # TF Playground's slope is the default


def test_unknown_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; choose one of: relu, tanh"):
        registry.get("swish")
    assert registry.of_module(nn.Linear(2, 2)) is None


def _python_files(*exclude):
    return [p for p in SRC.rglob("*.py") if not any(p.is_relative_to(SRC / e) for e in exclude)]


def test_the_registry_is_the_only_table():
    """No module outside nn/ maps names to activation classes (a dict, a (name, class) pair, getattr(nn, ...))."""
    classes = "|".join(ACTIVATION_CLASSES)
    cls = rf"""(["']?nn\.({classes})\b|["']({classes})["'])"""  # nn.ReLU, "nn.ReLU()", or "ReLU" whole
    patterns = [re.compile(rf"""["'][\w .-]+["']\s*:\s*(lambda[^:]*:\s*)?{cls}"""),  # {"relu": nn.ReLU}
                re.compile(rf"""["'][\w .-]+["']\s*,\s*nn\.({classes})\b"""),  # ("relu", nn.ReLU) pairs
                re.compile(rf"""["']({classes})["']\s*:\s*["'][a-z_]+["']"""),  # {"ReLU": "relu"}
                re.compile(r"getattr\(\s*nn\s*,")]  # getattr(nn, table[name])
    offenders = []
    for path in _python_files("nn"):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if any(p.search(line) for p in patterns):
                offenders.append(f"{path.relative_to(SRC)}:{i}: {line.strip()}")
    assert not offenders, "activation tables outside nn.activation_registry:\n" + "\n".join(offenders)


def test_faces_name_activation_classes_only_where_they_mean_one():
    """Outside nn/, an activation class is written only for a fixed part of a model (the playground's Tanh
    head, in its network and its exported script) and in a docstring example."""
    allowed = {("playground/model.py", "Tanh"), ("playground/script.py", "Tanh"), ("train/__init__.py", "ReLU")}
    pattern = re.compile(rf"\bnn\.({'|'.join(ACTIVATION_CLASSES)})\b")
    found = {(str(p.relative_to(SRC)), m.group(1)) for p in _python_files("nn")
             for m in pattern.finditer(p.read_text())
             if p.relative_to(SRC).parts[0] != "onnx"}  # the exporter keys its ONNX converters by module class
    assert found <= allowed, found - allowed
