"""Containers: Sequential, ModuleList, ModuleDict (torch's indexing and state_dict keys: "0.weight")."""

from __future__ import annotations

import builtins
import operator
from collections import OrderedDict

from ..engine import Tensor  # noqa: F401 - in annotations
from .module import Module


def _index(idx, n, what):
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range for a {what} of length {n}")
    return idx % n


class _Ordered(Module):
    """Shared by Sequential and ModuleList: children named "0", "1", ... in order."""

    def _renumber(self, modules):
        for k in list(self._modules):
            self._forget(k)
            self.__dict__.pop(k, None)
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def __len__(self) -> builtins.int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __setitem__(self, idx, module):
        self.add_module(list(self._modules)[_index(idx, len(self), type(self).__name__)], module)

    def __delitem__(self, idx):
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            del mods[idx]
        else:
            del mods[_index(idx, len(mods), type(self).__name__)]
        self._renumber(mods)  # keep the keys 0..n−1, as torch does

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._renumber(mods)


class Sequential(_Ordered):
    """Chains modules: ``forward(x)`` feeds x through each in turn. Built from modules (named "0", "1", ...)
    or from an OrderedDict of name → module. ``seq[i]``, ``seq[1:]`` (a Sequential keeping the names),
    ``len``, ``append``."""

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                if not isinstance(m, Module):
                    raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module (did you "
                                    "pass a class instead of an instance, e.g. nn.ReLU instead of nn.ReLU()?)")
                self.add_module(str(i), m)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self), "Sequential")]

    def __add__(self, other):
        if not isinstance(other, Sequential):
            return NotImplemented
        return Sequential(*self, *other)

    def forward(self, input) -> Tensor:
        for m in self._modules.values():
            input = m(input)
        return input


class ModuleList(_Ordered):
    """A list of modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return list(self._modules.values())[_index(idx, len(self), "ModuleList")]

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def forward(self, *args, **kwargs) -> Tensor:
        raise NotImplementedError("ModuleList has no forward: iterate over it in your module's forward")

    def __repr__(self) -> str:
        """torch's compressed form: consecutive identical entries print once, as ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks = []  # [start, end, repr]
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = [(f"({a}): {r}" if a == b else f"({a}-{b}): {b - a + 1} x {r}").replace("\n", "\n  ")
                 for a, b, r in blocks]
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules (name → module) whose parameters are registered; keeps insertion order."""

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]
        self.__dict__.pop(key, None)

    def __len__(self) -> builtins.int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        """The names, in insertion order."""
        return self._modules.keys()

    def items(self):
        """(name, module) pairs, in insertion order."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def pop(self, key):
        """Remove the module named ``key`` and return it."""
        m = self._modules[key]
        del self[key]
        return m

    def clear(self):
        """Remove every module."""
        for k in list(self._modules):
            del self[k]

    def update(self, modules):
        """Add (or replace) modules from a mapping or (name, module) pairs."""
        items = modules.items() if hasattr(modules, "items") else modules
        for k, m in items:
            self[k] = m

    def forward(self, *args, **kwargs) -> Tensor:
        raise NotImplementedError("ModuleDict has no forward: index it in your module's forward")
