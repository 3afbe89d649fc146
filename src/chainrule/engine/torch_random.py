"""PyTorch's CPU random streams, reproduced: its mt19937 engine and the transforms its kernels apply.

``torch.manual_seed(s)`` seeds a 32-bit Mersenne Twister (mt19937); every CPU random function turns the
engine's 32-bit words into numbers by a fixed recipe. This module follows those recipes, each next to a
comment naming the torch source it follows (paths under ``aten/src/ATen/``):

    core/MT19937RNGEngine.h            the engine: seeding, the twist, tempering
    CPUGeneratorImpl.cpp               random() = one word, random64() = (word1 << 32) | word2
    core/TransformationHelper.h        words → uniform floats / integers / a Bernoulli draw / Exp(λ)
    core/DistributionsHelper.h         the scalar Box-Muller (one pair, the second value cached)
    native/cpu/DistributionTemplates.h normal_ / uniform_ / random_ / bernoulli_ / exponential_ kernels
    native/TensorFactories.cpp         randperm (a Fisher-Yates shuffle on 32-bit words)
    native/Distributions.cpp, native/cpu/MultinomialKernel.cpp   multinomial

Everything is vectorised: the words come in blocks from NumPy's C implementation of the same engine
(started from torch's seeding), and each transform is a few array operations, so no Python loop runs per
number (except randperm's swaps, which torch's algorithm makes sequential). ``TorchRandom`` (rng.py) puts
these behind the methods chainrule's draws call; torch_mathfun.py holds the float arithmetic torch's
kernels do in their own way.
"""

from __future__ import annotations

from . import backend as B
from .torch_mathfun import box_muller_float32, fma32, fma64

xp = B.xp
N = 624  # words in mt19937's state
TWO_PI = 6.283185307179586  # c10::pi<double> * 2


def seeded_state(seed: int) -> list:
    """The 624 words ``mt19937(seed)`` starts from (init_with_uint32 in core/MT19937RNGEngine.h: only
    the low 32 bits of the seed are used): word j = 1812433253·(w ^ (w >> 30)) + j of the word w before."""
    state = [seed & 0xFFFFFFFF]
    for j in range(1, N):
        prev = state[-1]
        state.append((1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF)
    return state


class MT19937:
    """torch's CPU engine: ``random32(n)`` returns its next n 32-bit words, ``random64(n)`` n 64-bit draws.

    The engine is Matsumoto & Nishimura's reference mt19937, which NumPy also ships (``MT19937``, in C):
    torch's seeding above gives the state, NumPy's twists and tempers it (next_state and operator() in
    core/MT19937RNGEngine.h are that same algorithm). ``used`` counts the words of the current state already
    handed out; 624 means the next draw twists first, as torch's ``left_ == 1`` after seeding."""

    def __init__(self, seed: int = 5489):
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> None:
        self.set_state({"state": seeded_state(seed), "used": N})

    def random32(self, n: int):
        """The next n words (uint32), in torch's order (random() in CPUGeneratorImpl.cpp)."""
        return self.bits.random_raw(int(n)).astype(B.uint32)

    def random64(self, n: int):
        """n 64-bit draws, each two words: (first << 32) | second (random64 in CPUGeneratorImpl.cpp)."""
        w = self.bits.random_raw(2 * int(n))
        return (w[0::2] << B.uint64.type(32)) | w[1::2]

    def get_state(self) -> dict:
        state = self.bits.state["state"]
        return {"state": [int(v) for v in state["key"]], "used": int(state["pos"])}

    def set_state(self, state: dict) -> None:
        self.bits = B.new_mt19937(state["state"], state["used"])

    @property
    def state(self):
        return self.bits.state["state"]["key"]

    @property
    def used(self):
        return int(self.bits.state["state"]["pos"])


# ------------------------------------------------------------------------------------------- uniform
def uniform_float32(engine, n, low=0.0, high=1.0):
    """U[low, high) in float32: 24 bits of one word, x·(to − from) + from in float32, the product and sum
    fused (uniform_real in core/TransformationHelper.h, with `from`/`to` cast to float as uniform_kernel
    in native/cpu/DistributionTemplates.h; torch's AVX2 build contracts that line into one FMA)."""
    x = (engine.random32(n) & B.uint32.type(0xFFFFFF)).astype(B.float32) * B.float32.type(2.0 ** -24)
    lo, hi = B.float32.type(low), B.float32.type(high)
    return x if lo == 0 and hi == 1 else fma32(x, hi - lo, lo)


def uniform_float64(engine, n, low=0.0, high=1.0):
    """U[low, high) in float64: 53 bits of a 64-bit draw (uniform_real in core/TransformationHelper.h)."""
    x = (engine.random64(n) & B.uint64.type((1 << 53) - 1)).astype(B.float64) * (2.0 ** -53)
    return x if low == 0 and high == 1 else fma64(x, float(high) - float(low), float(low))


# -------------------------------------------------------------------------------------------- normal
def normal(engine, cache, n, dtype, mean=0.0, std=1.0):
    """N(mean, std²) as torch's normal_ fills a contiguous tensor of n elements of ``dtype`` (normal_kernel
    in native/cpu/DistributionTemplates.h). Returns (values, new cache):

    - n >= 16, float32: n float uniforms, Box-Muller on blocks of 16 (element j pairs with j+8) with
      torch's AVX2 log/sincos (torch_mathfun.py); when 16 does not divide n, the last 16 are redrawn.
    - n >= 16, float64: the same blocks in double precision with libm's log/cos/sin.
    - n < 16: the scalar Box-Muller of core/DistributionsHelper.h, in double precision, two 64-bit uniforms
      per pair, the pair's second value kept in the generator (``cache``) for the next scalar draw.
    """
    if n >= 16 and dtype == B.float32:
        u = uniform_float32(engine, n)
        out = box_muller_float32(u[: n - n % 16], mean, std)
        if n % 16:
            out = xp.concatenate([out[: n - 16], box_muller_float32(uniform_float32(engine, 16), mean, std)])
        return out, cache
    if n >= 16:
        u = uniform_float64(engine, n)
        out = _box_muller_float64(u[: n - n % 16], mean, std)
        if n % 16:
            out = xp.concatenate([out[: n - 16], _box_muller_float64(uniform_float64(engine, 16), mean, std)])
        return out.astype(dtype), cache
    return _scalar_normal(engine, cache, n, mean, std, dtype)


def _box_muller_float64(u, mean, std):
    """normal_fill_16 (native/cpu/DistributionTemplates.h) for double, on every block of 16 at once."""
    blocks = u.reshape(-1, 2, 8)
    radius = xp.sqrt(-2.0 * xp.log(1.0 - blocks[:, 0]))  # [0, 1) → (0, 1] for the log
    theta = TWO_PI * blocks[:, 1]
    out = xp.stack([radius * xp.cos(theta), radius * xp.sin(theta)], axis=1).reshape(-1)
    return _scaled(out, mean, std)


def _scaled(values, mean, std):
    """value·std + mean, fused as torch's compiled kernels fuse it (an FMA)."""
    return values if mean == 0 and std == 1 else fma64(values, float(std), float(mean))


def _scalar_normal(engine, cache, n, mean, std, dtype):
    """normal_distribution<double> (core/DistributionsHelper.h): u1, u2 from two 64-bit draws,
    r = √(−2·log1p(−u2)), θ = 2π·u1; a call returns r·cos θ and caches r·sin θ, which the next call
    returns without drawing. So n values take the cached one (if any), then ⌈rest/2⌉ pairs."""
    values = []
    if n and cache is not None:
        values, cache = [cache], None
    need = n - len(values)
    if need:
        pairs = -(-need // 2)
        u = uniform_float64(engine, 2 * pairs).reshape(pairs, 2)
        r = xp.sqrt(-2.0 * xp.log1p(-u[:, 1]))
        theta = TWO_PI * u[:, 0]
        both = xp.stack([r * xp.cos(theta), r * xp.sin(theta)], axis=1).reshape(-1)  # cos₀ sin₀ cos₁ ...
        values.extend(both[:need].tolist())
        if need % 2:
            cache = float(both[-1])
    return _scaled(xp.array(values, dtype=B.float64), mean, std).astype(dtype), cache


# ------------------------------------------------------------------------------------------ integers
def random_from_to(engine, n, low, high):
    """Integers in [low, high) as int64: (word % range) + low, on one word when range < 2²⁸ and on a
    64-bit draw otherwise (uniform_int_from_to_distribution in core/DistributionsHelper.h -- the 2²⁸ of
    torch's public builds, "allow approx 5% skew"; the transform uniform_int_from_to in
    core/TransformationHelper.h)."""
    span = int(high) - int(low)
    if span >= 1 << 28:
        words = engine.random64(n) % B.uint64.type(span)
    else:
        words = (engine.random32(n) % B.uint32.type(span)).astype(B.uint64)
    return (words + B.uint64.type(int(low) & 0xFFFFFFFFFFFFFFFF)).view(B.int64)


def randperm(engine, n):
    """A permutation of 0..n−1 (randperm_cpu in native/TensorFactories.cpp): for i = 0..n−2 in turn, swap
    the entries at positions i and j_i = i + word_i % (n − i).

    The swaps are sequential, but where each value ends can be found for all positions at once. Step i
    fixes position i for good (later steps touch only positions after it), with the value then at j_i. A
    position p >= i was last written by the latest earlier step k with j_k = p, which moved there the
    value position k held just before step k -- call it held(k) -- else p holds its own value p. Likewise
    held(q) is held(k) for the latest step k < q with j_k = q, else q: a forest whose roots are the
    values, resolved by pointer doubling in log₂ n array operations."""
    n = int(n)
    if n >= 0xFFFFFFFF // 20:
        raise ValueError(f"randperm: n = {n} is beyond the sizes torch permutes with 32-bit draws")
    steps = xp.arange(n, dtype=B.int64)
    if n < 2:
        return steps
    target = steps.copy()  # the last step (n − 1) swaps nothing
    target[:-1] += engine.random32(n - 1) % xp.arange(n, 1, -1, dtype=B.uint32)  # word % (n − i)
    key = xp.sort(target * n + steps)  # steps grouped by target, each group in step order
    t, by_target = key // n, key % n
    same = t[1:] == t[:-1]
    before = xp.full(n, -1, dtype=B.int64)  # the previous step with the same target
    before[by_target[1:][same]] = by_target[:-1][same]
    latest = xp.full(n, -1, dtype=B.int64)  # the last step targeting each position
    last_of_group = xp.append(~same, True)
    latest[t[last_of_group]] = by_target[last_of_group]
    writer = xp.where(latest == steps, before, latest)  # the latest step k < q with j_k = q (k = q is not earlier)
    held = xp.where(writer >= 0, writer, steps)
    while True:  # follow the chains to their roots
        nxt = held[held]
        if (nxt == held).all():
            break
        held = nxt
    return xp.where(before >= 0, held[xp.maximum(before, 0)], target)


# --------------------------------------------------------------------------------- bernoulli, exp
def bernoulli(engine, probs):
    """One draw per element of ``probs`` (bernoulli_kernel with a tensor p, native/cpu/
    DistributionTemplates.h): u < p with u a float64 uniform (53 bits) when p is float64, else a float32
    uniform (24 bits) compared in float32."""
    flat = probs.reshape(-1)
    if probs.dtype == B.float64:
        u = uniform_float64(engine, flat.size)
    else:
        u = uniform_float32(engine, flat.size)
        flat = flat.astype(B.float32)
    return (u < flat).reshape(probs.shape)


def bernoulli_scalar(engine, n, p):
    """n draws with one probability p (``tensor.bernoulli_(p)``, dropout's mask): u < p with float64
    uniforms (bernoulli_kernel with a double p, native/cpu/DistributionTemplates.h). torch builds with MKL
    take this path except on Intel CPUs, where bernoulli_scalar_kernel (native/cpu/DistributionKernels.cpp)
    draws from MKL's own stream instead."""
    return uniform_float64(engine, n) < float(p)


def exponential(engine, n, lambd=1.0):
    """Exp(λ) in float64: −1/λ · log1p(−u) (transformation::exponential in core/TransformationHelper.h,
    the CPU branch); torch casts the result to the tensor's dtype."""
    return (-1.0 / lambd) * xp.log1p(-uniform_float64(engine, n))


def multinomial(engine, rows, num_samples, replacement):
    """Category indices drawn from each row of non-negative weights ``rows`` (2-D, the input's dtype).

    Without replacement or for one sample (multinomial in native/Distributions.cpp): q ~ Exp(1) in the
    weights' dtype, then the top ``num_samples`` of weights / q per row (argmax for one sample).
    With replacement (multinomial_with_replacement_apply in native/cpu/MultinomialKernel.cpp): per row a
    cumulative sum in the weights' dtype divided by its total, the last entry set to 1, then for each
    sample a float64 uniform and the first entry not below it (a binary search)."""
    n_rows = rows.shape[0]
    if not replacement or num_samples == 1:
        q = exponential(engine, rows.size).astype(rows.dtype).reshape(rows.shape)
        keys = rows / q
        if num_samples == 1:
            return xp.argmax(keys, axis=1).reshape(n_rows, 1)
        return xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    out = xp.empty((n_rows, num_samples), dtype=B.int64)
    for i, row in enumerate(rows):
        cum = xp.cumsum(row, dtype=row.dtype)
        cum = cum / cum[-1]
        cum[-1] = 1
        out[i] = xp.searchsorted(cum, uniform_float64(engine, num_samples), side="left")
    return out
