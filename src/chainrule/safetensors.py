"""The safetensors format, read and written with NumPy alone: weights that PyTorch (and others) load.

``chainrule.save(model.state_dict(), "model.safetensors")`` and ``chainrule.load("model.safetensors")``
come here (by the suffix); so do ``save_file``/``load_file``/``save``/``load`` below, named as in the
``safetensors`` package. A file written here loads with ``safetensors.torch.load_file`` into a torch model
of the same architecture (chainrule's state_dict keys are torch's), and a torch state_dict saved with
safetensors loads into the chainrule model.

The format (https://huggingface.co/docs/safetensors), all integers little-endian::

    8 bytes       N, the length of the header (unsigned 64-bit)
    N bytes       the header: a UTF-8 JSON object, starting with "{" (may be padded with spaces)
                  {"__metadata__": {"format": "pt"},                      optional, strings only
                   "0.weight": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]}, ...}
    the rest      the byte buffer: each tensor's C-order little-endian bytes at data_offsets
                  (begin, end), counted from the start of the buffer

Rules checked on load (a hostile or broken file gets a ``SafetensorsError`` naming the file and the
problem, before anything large is allocated): the header length must fit in the file and stay under
100 MB (the reference implementation's limit); the JSON must be an object without duplicate names; every
entry needs dtype, shape and data_offsets (other fields are ignored, as the reference does); every dtype
must be known; each tensor's byte range must lie inside the buffer and hold exactly
prod(shape)·itemsize bytes; the ranges must not overlap and must cover the buffer with no gap.

Writing lays the file out as the reference implementation does, byte for byte: tensors ordered by dtype
(U64, I64, F64, F32, ... BOOL) then name, the header in that order and padded with spaces to a multiple
of 8 bytes, so every tensor starts aligned to its itemsize and loads without a copy.

dtypes: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, F32, F64 are written and read. chainrule's
tensors have fewer dtypes, so loading widens the others losslessly: BF16 → float32 (exact: a bfloat16 is
the top half of a float32), I8/I16/U16 → int32, U32 → int64, U64 → int64 when every value fits (else
an error). The 8-, 6- and 4-bit float types and complex C64 are refused on load with their name.

This is only for a flat dict of tensors. A training checkpoint (optimizer state, history, RNG) keeps
chainrule's own format (``chainrule/serialization.py``), which nests and holds numbers and strings.
"""

from __future__ import annotations

import io
import json
import os
import struct

import numpy as np

from .serialization import CheckpointError  # a SafetensorsError is a CheckpointError: one except clause

__all__ = ["SafetensorsError", "save", "save_file", "load", "load_file", "read_metadata", "looks_like_safetensors"]

MAX_HEADER = 100_000_000  # bytes; the reference implementation refuses larger headers too

# safetensors dtype name -> NumPy dtype (little-endian); BF16 is read as raw uint16 and widened
DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "I16": "<i2", "U16": "<u2", "I32": "<i4", "U32": "<u4",
          "I64": "<i8", "U64": "<u8", "F16": "<f2", "BF16": "<u2", "F32": "<f4", "F64": "<f8"}
_NAMES = {np.dtype(v).newbyteorder("<").str: k for k, v in DTYPES.items() if k != "BF16"}
_UNSUPPORTED = {"F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"}
_WIDEN = {"I8": np.int32, "I16": np.int32, "U16": np.int32, "U32": np.int64}


class SafetensorsError(CheckpointError):
    """A file that is not a valid safetensors file: truncated, corrupted, hostile or foreign."""


# ----------------------------------------------------------------------------------------------- write
def _arrays(tensors, who):
    if not isinstance(tensors, dict):
        hint = ""
        if callable(getattr(tensors, "state_dict", None)):
            hint = f"; save its state_dict() instead ({who}(model.state_dict(), ...))"
        raise TypeError(f"{who}: safetensors holds a flat dict of name -> tensor (a state_dict), got a "
                        f"{type(tensors).__name__}{hint}")
    out = {}
    for k, v in tensors.items():
        if not isinstance(k, str) or not k:
            raise TypeError(f"{who}: tensor names must be non-empty strings, got {k!r}")
        if k == "__metadata__":
            raise ValueError(f"{who}: '__metadata__' is reserved by the format; pass metadata=... instead")
        if hasattr(v, "detach") and hasattr(v, "numpy"):
            a = np.asarray(v.detach().cpu().numpy())
        elif isinstance(v, np.ndarray):
            a = v
        else:
            raise TypeError(
                f"{who}: {k!r} is a {type(v).__name__}; safetensors holds tensors only (a flat dict of name -> "
                "Tensor, such as model.state_dict()). A training checkpoint with optimizer state, history or "
                "numbers keeps chainrule's own format: chainrule.save(obj, 'run.ckpt')")
        if a.dtype.newbyteorder("<").str not in _NAMES:
            raise TypeError(f"{who}: {k!r} has dtype {a.dtype}, which safetensors cannot hold (bool, integer "
                            "and float16/32/64 only)")
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)  # little-endian
        out[k] = a if a.flags.c_contiguous else a.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
    return out


def _check_metadata(metadata, who):
    if metadata is None:
        return {"format": "pt"}  # what safetensors.torch writes; transformers checks for it
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise TypeError(f"{who}: metadata must be a dict of str -> str, got {metadata!r}")
    return dict(metadata)


# the reference implementation's dtype order; it writes the widest-ranked first, then by name
_RANK = {k: i for i, k in enumerate(["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
                                     "I64", "U64"])}


def _write(arrays, metadata, out):
    # as the reference implementation lays it out (the same bytes): dtypes from U64 down to BOOL, then by
    # name, so with the header padded to 8 bytes every tensor starts aligned to its itemsize
    order = sorted(arrays, key=lambda k: (-_RANK[_NAMES[arrays[k].dtype.str]], k))
    header, pos = {"__metadata__": metadata}, 0
    for k in order:
        a = arrays[k]
        header[k] = {"dtype": _NAMES[a.dtype.str], "shape": list(a.shape), "data_offsets": [pos, pos + a.nbytes]}
        pos += a.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    out.write(struct.pack("<Q", len(raw)))
    out.write(raw)
    for k in order:
        if arrays[k].nbytes:
            out.write(arrays[k].reshape(-1).view(np.uint8).data)


def save(tensors, metadata=None) -> bytes:
    """The safetensors bytes of ``tensors`` (name -> Tensor or NumPy array)."""
    arrays, meta = _arrays(tensors, "safetensors.save"), _check_metadata(metadata, "safetensors.save")
    buf = io.BytesIO()
    _write(arrays, meta, buf)
    return buf.getvalue()


def save_file(tensors, filename, metadata=None) -> None:
    """Write ``tensors`` (name -> Tensor or NumPy array, e.g. ``model.state_dict()``) to ``filename``,
    atomically. ``metadata``: str -> str (default ``{"format": "pt"}``)."""
    from ._files import atomic_write

    arrays, meta = _arrays(tensors, "chainrule.save"), _check_metadata(metadata, "chainrule.save")
    atomic_write(filename, lambda out: _write(arrays, meta, out), "chainrule.save", "model.safetensors")


# ------------------------------------------------------------------------------------------------ read
def looks_like_safetensors(data) -> bool:
    """Do these bytes start like a safetensors file (a plausible header length, then "{")?"""
    if len(data) < 9:
        return False
    (n,) = struct.unpack("<Q", bytes(data[:8]))
    return 2 <= n <= len(data) - 8 and data[8:9] == b"{"


def _header_length(first8, size, name):
    if len(first8) < 8:
        _fail(name, f"the file is {size} bytes long; a safetensors file starts with an 8-byte header length")
    (n,) = struct.unpack("<Q", first8)
    if n > MAX_HEADER:
        _fail(name, f"the header length field claims {n:,} bytes, over the {MAX_HEADER:,}-byte limit (a hostile "
                    f"or foreign file; the file is {size:,} bytes)")
    if n > size - 8:
        _fail(name, f"the header length field claims {n:,} bytes, but only {size - 8:,} bytes follow it "
                    "(truncated, or not a safetensors file)")
    if n < 2:
        _fail(name, f"the header length field is {n}; the header must be a JSON object")
    return n


def _fail(name, what):
    raise SafetensorsError(f"cannot load safetensors file {name!r}: {what}")


class _Duplicate(Exception):
    pass


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise _Duplicate(k)
        seen[k] = v
    return seen


def _parse_header(raw, buffer_len, name):
    """The header's entries as [(name, dtype, shape, begin, end)] and its metadata, every rule checked."""
    if raw[:1] != b"{":
        _fail(name, "the header does not start with '{' (not a safetensors file)")
    try:
        header = json.loads(bytes(raw).decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as err:
        _fail(name, f"the header is not UTF-8 ({err})")
    except _Duplicate as err:
        _fail(name, f"the header names {err.args[0]!r} twice")
    except ValueError as err:
        _fail(name, f"the header is not valid JSON: {err}")
    if not isinstance(header, dict):
        _fail(name, "the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        _fail(name, "__metadata__ must be an object of strings")
    entries = []
    for key, info in header.items():
        if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
            _fail(name, f"tensor {key!r}: expected an object with dtype, shape and data_offsets, got "
                        f"{json.dumps(info)[:200]}")
        dtype, shape, offs = info["dtype"], info["shape"], info["data_offsets"]
        if dtype in _UNSUPPORTED:
            _fail(name, f"tensor {key!r} has dtype {dtype}, which NumPy and chainrule cannot represent")
        if dtype not in DTYPES:
            _fail(name, f"tensor {key!r} has unknown dtype {dtype!r}; known: {', '.join(DTYPES)}")
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            _fail(name, f"tensor {key!r}: shape must be a list of non-negative integers, got {shape!r}")
        if not (isinstance(offs, list) and len(offs) == 2 and all(type(o) is int for o in offs)):
            _fail(name, f"tensor {key!r}: data_offsets must be [begin, end], got {offs!r}")
        begin, end = offs
        if not 0 <= begin <= end <= buffer_len:
            _fail(name, f"tensor {key!r}: data_offsets [{begin}, {end}] lie outside the {buffer_len:,}-byte data "
                        "buffer (truncated or corrupted)")
        need = int(np.prod(shape, dtype=object)) * np.dtype(DTYPES[dtype]).itemsize
        if end - begin != need:
            _fail(name, f"tensor {key!r}: shape {shape} of {dtype} needs {need:,} bytes, but data_offsets "
                        f"[{begin}, {end}] hold {end - begin:,}")
        entries.append((key, dtype, tuple(shape), begin, end))
    pos, prev = 0, None
    for key, _, _, begin, end in sorted(entries, key=lambda e: (e[3], e[4])):
        if begin < pos:
            _fail(name, f"tensors {prev!r} and {key!r} overlap (bytes [{begin}, {pos}) belong to both)")
        if begin > pos:
            _fail(name, f"bytes [{pos}, {begin}) of the data buffer belong to no tensor (a gap before {key!r})")
        pos, prev = end, key
    if pos != buffer_len:
        _fail(name, f"the data buffer has {buffer_len - pos:,} bytes after the last tensor that belong to no "
                    "tensor")
    return entries, metadata


def _tensors(entries, buf, name):
    import chainrule as cr

    out = {}
    for key, dtype, shape, begin, end in entries:
        dt = np.dtype(DTYPES[dtype])
        if begin % dt.itemsize:  # misaligned (not written here): copy rather than view
            a = np.frombuffer(bytes(buf[begin:end]), dtype=dt).copy()
        else:
            a = np.frombuffer(buf, dtype=dt, count=(end - begin) // dt.itemsize, offset=begin)
        a = a.reshape(shape)
        if dtype == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        elif dtype in _WIDEN:
            a = a.astype(_WIDEN[dtype])
        elif dtype == "U64":
            if a.size and a.max() > np.iinfo(np.int64).max:
                _fail(name, f"tensor {key!r} (U64) holds values above 2**63 - 1, which chainrule's int64 "
                            "cannot hold")
            a = a.astype(np.int64)
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        out[key] = cr.from_numpy(a)
    return out


def load(data, name="<bytes>"):
    """The tensors (name -> chainrule Tensor) in safetensors bytes."""
    buf = bytearray(data)  # writable tensors that do not alias the caller's bytes
    size = len(buf)
    n = _header_length(bytes(buf[:8]), size, name)
    entries, _ = _parse_header(memoryview(buf)[8:8 + n], size - 8 - n, name)
    return _tensors(entries, memoryview(buf)[8 + n:], name)


def _read_header(f, name):
    size = os.fstat(f.fileno()).st_size
    n = _header_length(f.read(8), size, name)
    raw = f.read(n)
    if len(raw) != n:
        _fail(name, "the file ended inside the header")
    entries, metadata = _parse_header(raw, size - 8 - n, name)
    return entries, metadata, size - 8 - n


def load_file(filename, device="cpu"):
    """The tensors (name -> chainrule Tensor) in the safetensors file ``filename``, in the header's order.
    ``device`` is accepted as in ``safetensors.torch.load_file`` (CPU only)."""
    name = os.fspath(filename)
    with open(name, "rb") as f:
        entries, _, buffer_len = _read_header(f, name)
        buf = np.empty(buffer_len, dtype=np.uint8)  # not zero-filled first, as a bytearray would be
        if f.readinto(buf) != buffer_len:
            _fail(name, "the file ended inside the data buffer")
    return _tensors(entries, buf, name)


def read_metadata(filename) -> dict:
    """The ``__metadata__`` of a safetensors file (str -> str), reading only its header."""
    name = os.fspath(filename)
    with open(name, "rb") as f:
        return _read_header(f, name)[1]
