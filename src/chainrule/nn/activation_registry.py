"""The one registry of activation functions: a name → the ``nn`` module class, the functional form, and what
the rest of chainrule needs to know about it.

Every place that turns a user's word into an activation resolves it here: ``chainrule train --activation``,
the scikit-learn estimators' ``activation=``, the playground (its network and its exported script), the MLP
builder (``nn.mlp.build_mlp``), the doctor (which activation is this module?) and the labs. Each of those
faces offers the names its users already know — scikit-learn's ``logistic`` and ``identity``, TensorFlow
Playground's ``linear`` and ``leakyrelu``, torch's functional names — and every one of them is a name or an
alias here, so what a name means is written once.

    from chainrule.nn import activation_registry as activations
    activations.get("logistic").module       # nn.Sigmoid
    activations.module("leakyrelu")          # a new nn.LeakyReLU() (the defaults: negative slope 0.01)
    activations.function("relu")(x)          # nn.functional.relu(x)
    activations.of_module(nn.ReLU6())        # ReLU6's entry (None for a module that is not an activation)

A name is matched exactly: the canonical name (torch.nn.functional's, ``"leaky_relu"``), an alias, or the
class name (``"LeakyReLU"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import activation as modules
from . import functional as F
from .linear import Identity


def identity(x):
    """f(x) = x: the "linear" activation (no nonlinearity)."""
    return x


@dataclass(frozen=True)
class Activation:
    """What chainrule knows about one activation."""

    name: str  # canonical: torch.nn.functional's name ("leaky_relu"), "identity" for no nonlinearity
    module: type  # the nn class; its defaults are what a name builds (LeakyReLU: slope 0.01)
    function: Callable  # the functional form f(x) (prelu: f(x, weight))
    aliases: tuple = ()  # other names that faces offer ("logistic", "leakyrelu", "linear")
    gain: str = "linear"  # nn.init.calculate_gain's name: the Xavier/Kaiming scaling for it
    doctor_kind: str | None = None  # what the doctor measures it as: sigmoid/tanh saturate, the ReLU family dies
    relu_family: bool = False  # a flat side (h ≤ 0 passes little or no gradient): the doctor counts dead units

    def new(self, **kwargs):
        """A new module instance (keyword arguments go to its constructor)."""
        return self.module(**kwargs)


_ENTRIES = (
    Activation("relu", modules.ReLU, F.relu, gain="relu", doctor_kind="relu", relu_family=True),
    Activation("tanh", modules.Tanh, F.tanh, gain="tanh", doctor_kind="tanh"),
    Activation("sigmoid", modules.Sigmoid, F.sigmoid, aliases=("logistic",), gain="sigmoid", doctor_kind="sigmoid"),
    Activation("leaky_relu", modules.LeakyReLU, F.leaky_relu, aliases=("leakyrelu",), gain="leaky_relu",
               doctor_kind="leaky_relu", relu_family=True),
    Activation("prelu", modules.PReLU, F.prelu, doctor_kind="prelu", relu_family=True),
    Activation("elu", modules.ELU, F.elu, doctor_kind="elu", relu_family=True),
    Activation("softplus", modules.Softplus, F.softplus, doctor_kind="softplus"),
    Activation("gelu", modules.GELU, F.gelu, doctor_kind="gelu", relu_family=True),
    Activation("silu", modules.SiLU, F.silu, doctor_kind="silu", relu_family=True),
    Activation("identity", Identity, identity, aliases=("linear",)),
    # the doctor measures ReLU6 as a ReLU and Hardtanh as a tanh (their flat sides and slopes are alike)
    Activation("relu6", modules.ReLU6, F.relu6, doctor_kind="relu", relu_family=True),
    Activation("hardtanh", modules.Hardtanh, F.hardtanh, doctor_kind="tanh"),
    Activation("softsign", modules.Softsign, F.softsign, doctor_kind="softsign"),
    Activation("selu", modules.SELU, F.selu, gain="selu"),
    Activation("logsigmoid", modules.LogSigmoid, F.logsigmoid),
)

ACTIVATIONS = {a.name: a for a in _ENTRIES}  # canonical name -> entry, in a fixed order
_BY_NAME = {key: a for a in _ENTRIES for key in (a.name, *a.aliases, a.module.__name__)}
_BY_CLASS = {a.module: a for a in _ENTRIES}


def names(aliases: bool = False) -> list[str]:
    """The canonical names (with ``aliases=True``: every name ``get`` accepts, class names included)."""
    return list(_BY_NAME) if aliases else list(ACTIVATIONS)


def get(name: str) -> Activation:
    """The entry for a canonical name, an alias or a class name; a ValueError names the choices."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        aliases = ", ".join(alias for a in _ENTRIES for alias in a.aliases)
        raise ValueError(f"unknown activation {name!r}; choose one of: {', '.join(names())} (or an alias: "
                         f"{aliases}; or a class name such as 'ReLU')") from None


def module(name: str, **kwargs):
    """A new module for the activation called ``name`` (``module("relu")`` is ``nn.ReLU()``)."""
    return get(name).new(**kwargs)


def function(name: str) -> Callable:
    """The functional form of the activation called ``name`` (``function("relu")`` is ``F.relu``)."""
    return get(name).function


def of_module(m) -> Activation | None:
    """The entry of a module instance or class (by its exact class), or None if it is not an activation."""
    return _BY_CLASS.get(m if isinstance(m, type) else type(m))


__all__ = ["Activation", "ACTIVATIONS", "names", "get", "module", "function", "of_module", "identity"]
