"""chainrule's dtypes: NumPy dtypes under torch's names, printed the torch way (``chainrule.float32``)."""

from __future__ import annotations

import builtins

from . import backend as B

# The module name in printed dtypes, sizes and legacy type names. chainrule.torch_compat, where chainrule is
# imported as torch, sets it to "torch" so that programs print what they print under PyTorch.
shown_module = "chainrule"


class dtype:
    """A tensor element type. ``dtype.np`` is the NumPy dtype that holds the data."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize")

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np_dtype
        self.is_floating_point = np_dtype.kind == "f"
        self.itemsize = np_dtype.itemsize

    def __repr__(self):
        return f"{shown_module}.{self.name}"

    def __reduce__(self):  # never pickled on any I/O path; copy.deepcopy support only
        return (as_dtype, (self.name,))


float16 = dtype("float16", B.float16)
float32 = dtype("float32", B.float32)
float64 = dtype("float64", B.float64)
int32 = dtype("int32", B.int32)
int64 = dtype("int64", B.int64)
uint8 = dtype("uint8", B.uint8)
bool = dtype("bool", B.bool_)  # noqa: A001 - torch's name

ALL = (float16, float32, float64, int32, int64, uint8, bool)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(
    {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32, "bool_": bool}
)


def from_np(np_dtype) -> dtype:
    d = _BY_NP.get(np_dtype)
    if d is None:
        raise TypeError(f"unsupported array dtype {np_dtype}; chainrule supports {', '.join(_BY_NAME)}")
    return d


def as_dtype(d) -> dtype:
    """Accept a chainrule dtype, a NumPy dtype or type, a Python type (float/int/bool) or a name."""
    if isinstance(d, dtype):
        return d
    if isinstance(d, str):
        name = d.removeprefix("torch.").removeprefix("chainrule.")
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"unknown dtype {d!r}; expected one of {', '.join(_BY_NAME)}")
    if d is float:
        return float64
    if d is int:
        return int64
    if d is builtins.bool:
        return bool
    try:
        return from_np(B.xp.dtype(d))
    except TypeError as err:
        raise TypeError(f"unknown dtype {d!r}; expected a chainrule dtype such as chainrule.float32") from err


class _Default:
    dtype = float32


def set_default_dtype(d):
    """The dtype that Python floats and float factories (zeros, randn, ...) produce. float32 or float64."""
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point dtypes are supported, got {d}")
    _Default.dtype = d


def get_default_dtype() -> dtype:
    return _Default.dtype
