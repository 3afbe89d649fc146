"""Checkpoints without code execution: ``chainrule.save(obj, f)`` / ``chainrule.load(f)``.

What can be saved: nested dicts, lists and tuples of Tensors (and Parameters), NumPy arrays, numbers,
strings, bools and None -- a model's or an optimizer's ``state_dict``, a training history, a config.

The format is a zip archive (like NumPy's ``.npz``), stored uncompressed:

    chainrule.json     {"format": "chainrule-checkpoint", "version": 1, "arrays": [...], "structure": ...}
    arrays/0.npy       one .npy file per array, read back with allow_pickle=False
    arrays/1.npy ...

The JSON header describes the structure (containers are tagged objects, scalars are plain JSON values)
and, for each array, its dtype, shape and SHA-256, all checked on load. Nothing is ever unpickled, so
loading a file from the internet cannot run code. Writes to a path are atomic: a temporary file in the
same directory is written, flushed, fsync'ed and renamed over the target, so a crash mid-save leaves the
old checkpoint intact. A truncated, corrupted, tampered or foreign file raises ``CheckpointError``
naming the file and what is wrong.

This format is chainrule's own because a training checkpoint holds more than tensors (optimizer state,
history, RNG states, config). For weights alone, a path ending in ``.safetensors`` writes the
safetensors format instead (``chainrule/safetensors.py``): the file PyTorch and other libraries exchange.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile

import numpy as np

from ._files import atomic_write
from .engine.backend import to_numpy
from .engine.tensor import Tensor, _wrap

FORMAT = "chainrule-checkpoint"
VERSION = 1
HEADER = "chainrule.json"
_SCALARS = (str, int, float, bool, type(None))


class CheckpointError(ValueError):
    """A file that is not a valid chainrule checkpoint (truncated, corrupted, tampered or foreign)."""


# -------------------------------------------------------------------------------------------------- save
def _encode(obj, arrays, where):
    """The JSON form of obj; arrays are appended to ``arrays`` and referenced by index."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, (str, int)):
        return obj
    if isinstance(obj, float):
        return obj  # json writes NaN/Infinity and reads them back
    if isinstance(obj, Tensor):
        from .nn.parameter import Parameter

        tag = "parameter" if isinstance(obj, Parameter) else "tensor"
        return {"$": tag, "array": _add_array(to_numpy(obj._array), arrays, where), "requires_grad": obj.requires_grad}
    if isinstance(obj, np.ndarray):
        return {"$": "ndarray", "array": _add_array(obj, arrays, where)}
    if isinstance(obj, np.generic):
        return {"$": "npscalar", "array": _add_array(np.asarray(obj), arrays, where)}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, _SCALARS):
                raise TypeError(f"chainrule.save: dict key {k!r} at {where} is a {type(k).__name__}; keys must be "
                                "strings, numbers, bools or None")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"$": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        enc = [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]
        return {"$": "list" if isinstance(obj, list) else "tuple", "items": enc}
    hint = ""
    if callable(getattr(obj, "state_dict", None)):  # a Module or an optimizer: torch.save(model) pickles it
        hint = (f"; save its state_dict() instead (chainrule.save(model.state_dict(), path)) and restore it with "
                f"load_state_dict(chainrule.load(path)) on a freshly built {type(obj).__name__}")
    raise TypeError(
        f"chainrule.save: cannot save a {type(obj).__name__} at {where}; checkpoints hold Tensors, NumPy arrays, "
        "numbers, strings, bools and None, nested in dicts, lists and tuples (no arbitrary objects: no pickle)"
        + hint
    )


def _add_array(a, arrays, where):
    if a.dtype.kind not in "biuf":
        raise TypeError(f"chainrule.save: the array at {where} has dtype {a.dtype}; only bool, integer and float "
                        "arrays can be saved")
    arrays.append(a if a.flags.c_contiguous else a.copy(order="C"))  # (ascontiguousarray makes 0-d 1-d)
    return len(arrays) - 1


def _write_zip(obj, fileobj):
    arrays = []
    structure = _encode(obj, arrays, "obj")
    blobs, meta = [], []
    for a in arrays:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, a, allow_pickle=False)
        raw = buf.getvalue()
        blobs.append(raw)
        meta.append({"dtype": a.dtype.str, "shape": list(a.shape), "sha256": hashlib.sha256(raw).hexdigest()})
    header = {"format": FORMAT, "version": VERSION, "arrays": meta, "structure": structure}
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(HEADER, json.dumps(header))
        for i, raw in enumerate(blobs):
            zf.writestr(f"arrays/{i}.npy", raw)


def save(obj, f) -> None:
    """Save ``obj`` to ``f``: a path (written atomically) or a writable binary file object. A path ending in
    ``.safetensors`` writes the safetensors format instead (a flat dict of tensors, e.g. a state_dict; see
    ``chainrule.safetensors``), which PyTorch and other libraries read."""
    if hasattr(f, "write"):
        buf = io.BytesIO()  # build it completely first: an unsupported value leaves f untouched
        _write_zip(obj, buf)
        f.write(buf.getvalue())
        if hasattr(f, "flush"):
            f.flush()
        return
    if os.path.splitext(os.fspath(f))[1].lower() == ".safetensors":
        from .safetensors import save_file

        save_file(obj, f)
        return
    atomic_write(f, lambda out: _write_zip(obj, out), "chainrule.save")


# -------------------------------------------------------------------------------------------------- load
def load(f, map_location=None, weights_only=True, **kwargs):
    """Load what ``save`` wrote, from a path or a readable binary file object. Tensors come back as
    chainrule Tensors (Parameters as Parameters) with their dtype, on the CPU -- or on ``map_location``
    (``"cuda"``, a ``chainrule.device``, or a dict such as ``{"cuda:0": "cpu"}``, as torch's). A safetensors
    file (by its suffix or its contents) loads as a dict of name -> Tensor. ``weights_only`` is accepted for
    torch compatibility: nothing is ever unpickled."""
    if hasattr(f, "read"):
        name = getattr(f, "name", "<file object>")
        return _to_location(_load_bytes(f.read(), name), map_location)
    name = os.fspath(f)
    if os.path.splitext(name)[1].lower() == ".safetensors":
        from .safetensors import load_file

        return _to_location(load_file(name), map_location)
    with open(name, "rb") as fh:
        data = fh.read()
    return _to_location(_load_bytes(data, name), map_location)


def _to_location(obj, map_location):
    """Every tensor in ``obj`` moved where ``map_location`` says (checkpoints hold host arrays)."""
    if map_location is None:
        return obj
    if isinstance(map_location, dict):  # {saved location: new one}; everything here was saved from the host
        target = map_location.get("cpu", None)
        if target is None:
            return obj
    elif callable(map_location):
        raise TypeError("load: a callable map_location is not supported; pass a device such as 'cuda' or 'cpu'")
    else:
        target = map_location
    if isinstance(obj, Tensor):
        moved = obj.detach().to(target)
        if type(obj) is not Tensor:  # a Parameter stays a Parameter
            return type(obj)(moved, requires_grad=obj.requires_grad)
        return moved.requires_grad_(obj.requires_grad) if obj.requires_grad else moved
    if isinstance(obj, dict):
        return type(obj)((k, _to_location(v, target)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_location(v, target) for v in obj)
    return obj


def _fail(name, what):
    raise CheckpointError(f"cannot load checkpoint {name!r}: {what}")


def _load_bytes(data, name):
    if not data:
        _fail(name, "the file is empty")
    from . import safetensors

    if safetensors.looks_like_safetensors(data):  # a .safetensors file under another name
        return safetensors.load(data, name)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data[:2] == b"\x80\x02" or data[:1] == b"\x80":
            _fail(name, "it is a pickle file (e.g. an old torch.save); chainrule never unpickles. Convert it in "
                        "PyTorch: {k: v.numpy() for k, v in torch.load(path).items()}, then chainrule.save")
        _fail(name, "it is not a chainrule checkpoint (not a zip archive, or truncated)")
    with zf:
        names = zf.namelist()
        if HEADER not in names:
            if any(n.endswith("data.pkl") for n in names):
                _fail(name, "it is a PyTorch checkpoint (torch.save), which needs pickle; chainrule never unpickles. "
                            "Convert it in PyTorch: {k: v.numpy() for k, v in torch.load(path).items()}, then "
                            "chainrule.save")
            _fail(name, f"it is a zip archive without {HEADER!r}, not a chainrule checkpoint (members: "
                        f"{', '.join(names[:5])}{'...' if len(names) > 5 else ''})")
        try:
            header = json.loads(zf.read(HEADER).decode("utf-8"))
        except (zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError, ValueError) as err:
            _fail(name, f"the header {HEADER!r} is corrupted ({err})")
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            _fail(name, f"the header does not declare format {FORMAT!r}")
        if header.get("version") != VERSION:
            _fail(name, f"unsupported checkpoint version {header.get('version')!r} (this chainrule reads version "
                        f"{VERSION})")
        meta = header.get("arrays")
        if not isinstance(meta, list):
            _fail(name, "the header's array table is missing")
        expected = {HEADER} | {f"arrays/{i}.npy" for i in range(len(meta))}
        extra = sorted(set(names) - expected)
        if extra:
            _fail(name, f"unexpected members {extra} (the header lists {len(meta)} arrays)")
        arrays = [_read_array(zf, i, m, name) for i, m in enumerate(meta)]
    return _decode(header.get("structure"), arrays, name, "obj")


def _read_array(zf, i, m, name):
    member = f"arrays/{i}.npy"
    try:
        raw = zf.read(member)
    except KeyError:
        _fail(name, f"array {i} ({member}) is missing: the file is truncated or was modified")
    except (zipfile.BadZipFile, OSError, EOFError) as err:  # bad CRC-32, truncated data
        _fail(name, f"array {i} ({member}) is corrupted: {err}")
    if not isinstance(m, dict) or hashlib.sha256(raw).hexdigest() != m.get("sha256"):
        _fail(name, f"array {i} ({member}) does not match its SHA-256 in the header: the file was modified")
    try:
        a = np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
    except ValueError as err:
        _fail(name, f"array {i} ({member}) is not a valid .npy array ({err})")
    if a.dtype.str != m.get("dtype") or list(a.shape) != m.get("shape"):
        _fail(name, f"array {i} has dtype {a.dtype.str} and shape {list(a.shape)}, but the header says "
                    f"{m.get('dtype')} and {m.get('shape')}")
    return a


def _decode(node, arrays, name, where):
    if isinstance(node, _SCALARS):
        return node
    if isinstance(node, list) or not isinstance(node, dict) or "$" not in node:
        _fail(name, f"malformed structure at {where}")
    tag = node["$"]
    if tag in ("dict", "list", "tuple"):
        items = node.get("items")
        if not isinstance(items, list):
            _fail(name, f"malformed {tag} at {where}")
        if tag == "dict":
            out = {}
            for kv in items:
                if not (isinstance(kv, list) and len(kv) == 2 and isinstance(kv[0], _SCALARS)):
                    _fail(name, f"malformed dict entry at {where}")
                out[kv[0]] = _decode(kv[1], arrays, name, f"{where}[{kv[0]!r}]")
            return out
        seq = [_decode(v, arrays, name, f"{where}[{i}]") for i, v in enumerate(items)]
        return seq if tag == "list" else tuple(seq)
    idx = node.get("array")
    if tag not in ("tensor", "parameter", "ndarray", "npscalar") or not isinstance(idx, int) or isinstance(
            idx, bool) or not 0 <= idx < len(arrays):
        _fail(name, f"malformed entry {tag!r} at {where}")
    a = arrays[idx]
    if tag == "ndarray":
        return a
    if tag == "npscalar":
        return a[()]
    if tag == "parameter":
        from .nn.parameter import Parameter

        return Parameter(a, requires_grad=bool(node.get("requires_grad", True)))
    t = _wrap(a, None)
    if node.get("requires_grad") and a.dtype.kind == "f":
        t.requires_grad = True
    return t
