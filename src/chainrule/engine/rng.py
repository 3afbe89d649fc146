"""Random numbers: ``manual_seed``, ``Generator``, and the one adapter every random draw goes through.

All of chainrule's randomness (weight init, dropout masks, shuffles, toy data sets) flows through
``as_rng``: ``None`` means the default generator that ``chainrule.manual_seed`` seeds, never a second
global stream, so one seed makes a whole run repeatable.

Two kinds of generator, one adapter. The default kind wraps NumPy's PCG64 (fast; the numbers chainrule's
labs and recorded results use). The ``"torch"`` kind reproduces PyTorch's CPU streams bit for bit: see
``use_torch_random_streams``. ``as_rng`` returns the first as a ``numpy.random.Generator`` and the second
as a ``TorchRandom``, which offers the same NumPy methods plus torch's kernels by name; the few draws whose
torch recipe depends on the output dtype (normal, uniform_, bernoulli, multinomial) ask ``is_torch``.
"""

from __future__ import annotations

import numbers
import os

from . import backend as B
from . import torch_random as T

KINDS = ("numpy", "torch")
_ENV = "CHAINRULE_RANDOM_STREAMS"
_default_kind = os.environ.get(_ENV, "numpy") or "numpy"
if _default_kind not in KINDS:
    raise ValueError(f"{_ENV}={_default_kind!r}: expected 'numpy' (the default) or 'torch'")


class TorchRandom:
    """A torch-kind generator's state -- torch's mt19937 and its cached Box-Muller value -- and its draws.

    Torch's kernels, named as torch names them, return arrays of a given shape and dtype: ``normal_``,
    ``uniform_``, ``random_`` (randint), ``randperm``, ``bernoulli_`` (a probability per element),
    ``bernoulli_scalar_``, ``exponential_``, ``multinomial``. The NumPy methods the rest of chainrule calls
    (``random``, ``standard_normal``, ``normal``, ``uniform``, ``integers``, ``permutation``, ``choice``,
    ``shuffle``) are built on them, so data sets and samplers draw from the same stream.
    """

    def __init__(self, seed: int):
        self.engine = T.MT19937(seed)
        self.normal_cache = None  # the second value of torch's last scalar Box-Muller pair

    # ------------------------------------------------------------------------- torch's kernels
    def normal_(self, shape, dtype, mean=0.0, std=1.0):
        shape = _shape(shape)
        out, self.normal_cache = T.normal(self.engine, self.normal_cache, _numel(shape), B.xp.dtype(dtype),
                                          mean, std)
        return out.reshape(shape)

    def uniform_(self, shape, dtype, low=0.0, high=1.0):
        shape, dtype = _shape(shape), B.xp.dtype(dtype)
        if dtype == B.float32:
            return T.uniform_float32(self.engine, _numel(shape), low, high).reshape(shape)
        return T.uniform_float64(self.engine, _numel(shape), low, high).astype(dtype).reshape(shape)

    def random_(self, low, high, shape):
        shape = _shape(shape)
        return T.random_from_to(self.engine, _numel(shape), low, high).reshape(shape)

    def randperm(self, n):
        return T.randperm(self.engine, n)

    def bernoulli_(self, probs):
        return T.bernoulli(self.engine, B.xp.asarray(probs))

    def bernoulli_scalar_(self, shape, p):
        shape = _shape(shape)
        return T.bernoulli_scalar(self.engine, _numel(shape), p).reshape(shape)

    def exponential_(self, shape, dtype, lambd=1.0):
        shape = _shape(shape)
        return T.exponential(self.engine, _numel(shape), lambd).astype(dtype).reshape(shape)

    def multinomial(self, weights, num_samples, replacement=False):
        return T.multinomial(self.engine, weights, num_samples, replacement)

    # ------------------------------------------------------------------ NumPy's Generator subset
    def random(self, size=None, dtype=B.float64):
        return _scalar_if(size, self.uniform_(size, dtype if dtype is not None else B.float64))

    def standard_normal(self, size=None, dtype=B.float64):
        return _scalar_if(size, self.normal_(size, dtype if dtype is not None else B.float64))

    def normal(self, loc=0.0, scale=1.0, size=None):
        if B.xp.ndim(loc) == 0 and B.xp.ndim(scale) == 0:
            return _scalar_if(size, self.normal_(size, B.float64, float(loc), float(scale)))
        shape = size if size is not None else B.xp.broadcast_shapes(B.xp.shape(loc), B.xp.shape(scale))
        return self.normal_(shape, B.float64) * scale + loc

    def uniform(self, low=0.0, high=1.0, size=None):
        if B.xp.ndim(low) == 0 and B.xp.ndim(high) == 0:
            return _scalar_if(size, self.uniform_(size, B.float64, float(low), float(high)))
        shape = size if size is not None else B.xp.broadcast_shapes(B.xp.shape(low), B.xp.shape(high))
        return low + (B.xp.asarray(high) - low) * self.uniform_(shape, B.float64)

    def integers(self, low, high=None, size=None, dtype=B.int64, endpoint=False):
        if high is None:
            low, high = 0, low
        return _scalar_if(size, self.random_(low, high + bool(endpoint), size).astype(dtype))

    def permutation(self, x):
        if isinstance(x, numbers.Integral):
            return self.randperm(x)
        x = B.xp.asarray(x)
        return x[self.randperm(len(x))]

    def shuffle(self, x):
        x[...] = x[self.randperm(len(x))]

    def choice(self, a, size=None, replace=True, p=None):
        pool = B.xp.arange(a) if isinstance(a, numbers.Integral) else B.xp.asarray(a)
        k = _numel(_shape(size))
        if p is not None:
            picks = self.multinomial(B.xp.asarray(p, dtype=B.float64).reshape(1, -1), k, replace)[0]
        elif replace:
            picks = self.random_(0, len(pool), (k,))
        else:
            picks = self.randperm(len(pool))[:k]
        return _scalar_if(size, pool[picks].reshape(_shape(size)))

    # ------------------------------------------------------------------------------------ state
    def get_state(self) -> dict:
        return {"bit_generator": "torch.mt19937", **self.engine.get_state(), "normal_cache": self.normal_cache}

    def set_state(self, state: dict) -> None:
        if state.get("bit_generator") != "torch.mt19937":
            raise ValueError(f"expected the state of a torch-kind generator, got {state.get('bit_generator')!r}")
        self.engine.set_state(state)
        self.normal_cache = state["normal_cache"]


def _shape(size):
    if size is None:
        return ()
    return (int(size),) if isinstance(size, numbers.Integral) else tuple(int(s) for s in size)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _scalar_if(size, arr):
    """NumPy's convention: ``size=None`` draws one number, not an array."""
    return arr[()] if size is None else arr


class Generator:
    """A seeded source of random numbers, as ``torch.Generator``; ``.rng`` is what ``as_rng`` hands out.

    ``kind="numpy"`` wraps NumPy's PCG64; ``kind="torch"`` follows PyTorch's CPU generator bit for bit
    (see ``use_torch_random_streams`` for which functions). Without ``kind`` a new generator takes the
    current default kind: NumPy's, unless ``use_torch_random_streams()`` switched it.
    """

    def __init__(self, device="cpu", *, kind=None):
        kind = _default_kind if kind is None else kind
        if kind not in KINDS:
            raise ValueError(f"Generator: kind must be 'numpy' or 'torch', got {kind!r}")
        self.device = device if hasattr(device, "type") else _Device(str(device))
        if self.device.type not in ("cpu", "cuda"):
            raise ValueError(f"Generator: device must be 'cpu' or 'cuda', got {device!r}")
        self.kind = kind
        self.manual_seed(67280421310721)  # torch's default seed

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
        self._seed = seed
        if self.device.type == "cuda":  # a stream on the GPU (CuPy's XORWOW): draws never leave the device
            self.rng = _DeviceRng(B.cuda_module(), self.device.index, seed & 0xFFFFFFFFFFFFFFFF)
        else:
            self.rng = TorchRandom(seed) if self.kind == "torch" else B.new_rng(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def get_state(self) -> dict:
        """The stream's position as plain JSON-able values (a checkpoint stores it)."""
        return self.rng.get_state() if self.kind == "torch" else self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        if self.kind == "torch":
            self.rng.set_state(state)
        else:
            self.rng.bit_generator.state = state


class _Device:
    def __init__(self, name):
        self.type, _, index = name.partition(":")
        self.index = int(index) if index else None


class _DeviceRng:
    """A CUDA generator with the NumPy methods chainrule draws with (standard_normal, random, integers, ...)."""

    def __init__(self, cp, index, seed):
        if cp is None:
            raise RuntimeError("a CUDA generator needs a CUDA GPU (CuPy); none is available")
        self._cp, self._device = cp, cp.cuda.Device(index or 0)
        with self._device:
            self._gen = cp.random.default_rng(seed)

    def _draw(self, name, *args, **kwargs):
        with self._device:
            return getattr(self._gen, name)(*args, **kwargs)

    def standard_normal(self, size=None, dtype=None):
        return self._draw("standard_normal", size, dtype=dtype or B.float64)

    def random(self, size=None, dtype=None):
        return self._draw("random", size, dtype=dtype or B.float64)

    def integers(self, low, high=None, size=None):
        return self._draw("integers", low, high, size)

    def permutation(self, n):
        return self._draw("permutation", n)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return self.standard_normal(size) * scale + loc

    def uniform(self, low=0.0, high=1.0, size=None):
        return self.random(size) * (high - low) + low


default_generator = Generator()
_cuda_generators = {}  # device index -> the default CUDA generator (made on first use)


def cuda_default_generator(index=None):
    """The default generator of CUDA device ``index``, seeded from chainrule's seed (``manual_seed``)."""
    i = index or 0
    if i not in _cuda_generators:
        _cuda_generators[i] = Generator(f"cuda:{i}").manual_seed(default_generator.initial_seed() + i)
    return _cuda_generators[i]


def manual_seed(seed: int) -> Generator:
    """Seed the default generators (the CPU's and every CUDA device's): the same seed gives the same weights,
    shuffles and dropout masks."""
    _cuda_generators.clear()  # each device's is made again from this seed when it is next used
    return default_generator.manual_seed(int(seed))


def device_rng(generator, device):
    """The stream to draw from for a tensor on ``device`` (a chainrule.device or None: the CPU)."""
    if device is None or device.type == "cpu":
        if isinstance(generator, Generator) and generator.device.type != "cpu":
            raise RuntimeError(f"Expected a 'cpu' device type for generator but found '{generator.device.type}'")
        return as_rng(generator)
    if generator is None:
        return cuda_default_generator(device.index).rng
    if not isinstance(generator, Generator) or generator.device.type != "cuda":
        raise RuntimeError("Expected a 'cuda' device type for generator (a chainrule.Generator('cuda')) to draw "
                           "on a CUDA device")
    return generator.rng


def initial_seed() -> int:
    return default_generator.initial_seed()


def use_torch_random_streams(enabled: bool = True) -> None:
    """Make chainrule's random numbers PyTorch's: after ``use_torch_random_streams()``,
    ``chainrule.manual_seed(0); chainrule.randn(3)`` gives what ``torch.manual_seed(0); torch.randn(3)``
    gives on a CPU, and a seeded ``nn.Linear`` starts with torch's weights. ``False`` goes back to NumPy's
    PCG64, the default: the torch mode is slower (1.5-3x for a layer's init or a dropout mask, up to ~9x
    for a million float32 normals; benchmarks/random_streams.py). The default generator switches at once,
    re-seeded with its last seed; ``Generator()`` objects made later take the new kind, existing ones keep
    theirs (``Generator(kind="torch")`` picks one). ``CHAINRULE_RANDOM_STREAMS=torch`` in the environment
    starts a program in this mode without touching it.

    Follow torch's CPU streams bit for bit, checked against torch 2.13 (float32 and float64; any dtype
    for the integers): ``randn``, ``rand``, ``randint``, ``randperm``, ``normal`` (numbers or tensors for
    mean and std), ``randn_like``, ``rand_like``, ``randint_like``, ``Tensor.normal_`` and ``uniform_``,
    ``bernoulli`` (a probability per element or one ``p``), ``multinomial`` (with or without replacement),
    ``nn.init``'s ``uniform_``, ``normal_``, ``xavier_uniform_``, ``xavier_normal_``, ``kaiming_uniform_``
    and ``kaiming_normal_``, a new ``nn.Linear``'s weight and bias, ``F.dropout`` / ``nn.Dropout`` masks,
    ``random_split``, and ``DataLoader``'s order together with the seeds torch's loader and sampler draw
    every epoch -- each call carrying the generator on exactly as torch's does.

    Do not: ``nn.init.trunc_normal_`` and ``orthogonal_`` (other algorithms than torch's), float16 draws,
    filling a non-contiguous view (torch then walks memory in its own order), and chainrule's own toy data
    sets and augmentations (they draw from the same stream, but torch has no such functions). torch itself
    gives other numbers on some machines, and chainrule follows the common case: on Intel CPUs torch's
    MKL builds draw ``bernoulli_(p)`` (so dropout masks) and ``exponential_`` (so ``multinomial`` without
    replacement) from MKL's own stream; where torch picks its AVX-512 kernels, float32 ``randn`` of 16 or
    more numbers uses libm's float functions, which can differ in the last bit. chainrule reproduces
    torch's AVX2 kernels and its path without MKL (AMD and ARM CPUs, macOS).
    """
    global _default_kind
    _default_kind = "torch" if enabled else "numpy"
    if default_generator.kind != _default_kind:
        default_generator.kind = _default_kind
        default_generator.manual_seed(default_generator.initial_seed())


def is_torch(rng) -> bool:
    """Whether an ``as_rng`` result follows torch's streams (then use its torch-named kernels)."""
    return isinstance(rng, TorchRandom) or isinstance(getattr(rng, "recorded", None), TorchRandom)


def as_rng(seed=None):
    """The random stream behind a ``generator=`` / ``seed=`` argument: a ``numpy.random.Generator``, or
    a ``TorchRandom`` for a torch-kind generator (same NumPy methods).

    ``None`` → chainrule's default generator (seeded by ``chainrule.manual_seed``); a ``chainrule.Generator``
    or a ``numpy.random.Generator`` → its stream; an ``int`` → a fresh PCG64 generator seeded with it.
    """
    rng = _stream(seed)
    g = B.CAPTURE.graph
    return rng if g is None else g.wrap_rng(rng, lambda: _stream(seed))  # a captured step draws again at replay


def _stream(seed):
    if seed is None:
        return default_generator.rng
    if isinstance(seed, Generator):
        return seed.rng
    if B.is_rng(seed) or isinstance(seed, TorchRandom):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed}")
        return B.new_rng(int(seed))
    raise TypeError(
        f"seed/generator must be None, an int, a numpy.random.Generator or a chainrule.Generator; "
        f"got {type(seed).__name__}"
    )
