"""The arithmetic of torch's random kernels, done their way: FMAs, and the float32 Box-Muller.

torch's AVX2 kernel for float32 randn/normal_ of 16 or more elements (normal_fill_16_AVX2 in
aten/src/ATen/native/cpu/DistributionTemplates.h) does not call libm: it evaluates log and sin/cos with
Cephes polynomials from native/cpu/avx_mathfun.h, and the compiler fuses many of their multiply-adds into
FMA instructions. Float32 arithmetic is IEEE-exact, so repeating the same operations in NumPy float32 --
with each fused pair computed as one FMA -- gives torch's bits. NumPy has no FMA, so ``fma32`` and
``fma64`` compute a·b + c with a single rounding from float64 operations; torch's compiled kernels fuse
x·(b − a) + a in uniform_ and value·std + mean in normal_ the same way.
"""

from __future__ import annotations

from . import backend as B

xp = B.xp
f32 = B.float32.type
# a float64 whose 29 bits below float32's precision are 1000...0 lies halfway between two float32s
_HALF_ULP_BITS, _LOW_BITS = B.uint64.type(0x10000000), B.uint64.type(0x1FFFFFFF)


def fma32(a, b, c):
    """float32 a·b + c rounded once (an FMA). a·b is exact in float64 (24 + 24 bits) and the float64 sum
    is rounded once more; that second rounding can only change the float32 result when the float64 sum
    lies exactly halfway between two float32 values and is not exact -- those few are moved one float64
    step towards the exact sum (its error from Knuth's TwoSum) before rounding to float32."""
    s = xp.multiply(a, b, dtype=B.float64)
    if xp.broadcast_shapes(s.shape, xp.shape(c)) == s.shape:
        s += c
    else:
        s = s + xp.asarray(c, dtype=B.float64)
    tie = (s.view(B.uint64) & _LOW_BITS) == _HALF_ULP_BITS
    if tie.any():
        at = xp.nonzero(tie)
        ps = xp.multiply(xp.broadcast_to(a, s.shape)[at], xp.broadcast_to(b, s.shape)[at], dtype=B.float64)
        cs, ss = xp.broadcast_to(xp.asarray(c, dtype=B.float64), s.shape)[at], s[at]
        z = ss - ps
        err = (ps - (ss - z)) + (cs - z)
        s[at] = xp.where(err > 0, xp.nextafter(ss, xp.inf), xp.where(err < 0, xp.nextafter(ss, -xp.inf), ss))
    return s.astype(B.float32)


# Cephes constants as avx_mathfun.h spells them (float32)
_SQRTHF = f32(0.707106781186547524)
_LOG_P = [f32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                           1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                           3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = f32(-2.12194440e-4), f32(0.693359375)
_DP = [f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)]
_SINCOF = [f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)]
_COSCOF = [f32(2.443315711809948e-005), f32(-1.388731625493765e-003), f32(4.166664568298827e-002)]
_FOPI = f32(1.27323954473516)  # 4/π
_ONE, _HALF = f32(1.0), f32(0.5)


def log256(x):
    """log256_ps (native/cpu/avx_mathfun.h) for positive normal float32 x: x = m·2^e with m in [½, 1),
    shifted to [√½, √2), then a degree-9 polynomial; the fused steps are the ones GCC fuses."""
    bits = x.view(B.uint32)
    e = ((bits >> B.uint32.type(23)).astype(B.int32) - 0x7F).astype(B.float32) + _ONE
    m = ((bits & B.uint32.type(0x807FFFFF)) | _HALF.view(B.uint32)).view(B.float32)
    small = m < _SQRTHF
    e = e - xp.where(small, _ONE, f32(0))
    m = (m - _ONE) + xp.where(small, m, f32(0))
    z = m * m
    y = xp.full_like(m, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = fma32(y, m, p)
    y = y * m
    y = fma32(y, z, e * _LOG_Q1)
    y = fma32(-z, _HALF, y)
    return fma32(e, _LOG_Q2, m + y)


def sincos256(x):
    """sincos256_ps (native/cpu/avx_mathfun.h) for x >= 0: reduce by multiples of π/4 in three parts
    (Cody-Waite), then the Cephes sine and cosine polynomials; returns (sin x, cos x)."""
    j = (x * _FOPI).astype(B.int32)
    j = (j + 1) & ~1  # an even octant
    y = j.astype(B.float32)
    sign_sin = ((j & 4) << 29).astype(B.uint32)
    sign_cos = ((~(j - 2) & 4) << 29).astype(B.uint32)
    use_sine_poly = (j & 2) == 0
    for dp in _DP:
        x = fma32(y, dp, x)
    z = x * x
    cos_poly = fma32(fma32(xp.full_like(z, _COSCOF[0]), z, _COSCOF[1]), z, _COSCOF[2]) * z
    cos_poly = fma32(cos_poly, z, -(z * _HALF)) + _ONE
    sin_poly = fma32(fma32(xp.full_like(z, _SINCOF[0]), z, _SINCOF[1]), z, _SINCOF[2]) * z
    sin_poly = fma32(sin_poly, x, x)
    sin = xp.where(use_sine_poly, sin_poly, cos_poly)
    cos = xp.where(use_sine_poly, cos_poly, sin_poly)
    return (sin.view(B.uint32) ^ sign_sin).view(B.float32), (cos.view(B.uint32) ^ sign_cos).view(B.float32)


_TWO_PI = f32(6.283185307179586)  # _mm256_set1_ps(2.0f * c10::pi<double>)


def box_muller_float32(u, mean=0.0, std=1.0):
    """normal_fill_16_AVX2 on every block of 16 uniforms in ``u`` (float32, length a multiple of 16):
    element j of a block pairs with j + 8; u1 = 1 − u[j] (so the log never sees 0), u2 = u[j + 8],
    out[j] = r·cos θ·std + mean and out[j + 8] = r·sin θ·std + mean with r = √(−2 log u1), θ = 2π·u2.
    Runs in slices of 32768 numbers: some 50 float64 temporaries per number stay in cache that way."""
    out = xp.empty_like(u)
    for start in range(0, len(u), _CHUNK):
        blocks = u[start:start + _CHUNK].reshape(-1, 2, 8)
        u1, u2 = _ONE - blocks[:, 0], blocks[:, 1]
        radius = xp.sqrt(f32(-2.0) * log256(u1))
        sin, cos = sincos256(_TWO_PI * u2)
        both = xp.stack([radius * cos, radius * sin], axis=1)
        out[start:start + _CHUNK] = fma32(both, f32(std), f32(mean)).reshape(-1)
    return out


_CHUNK = 1 << 15  # a multiple of 16

def _two_sum(a, b):
    """s + t == a + b exactly, s = fl(a + b) (Knuth)."""
    s = a + b
    z = s - a
    return s, (a - (s - z)) + (b - z)


def _split(a):
    """a == hi + lo with both halves of 26 bits, so their products are exact (Veltkamp)."""
    t = 134217729.0 * a  # 2^27 + 1
    hi = t - (t - a)
    return hi, a - hi


def _odd_sum(a, b):
    """a + b rounded to odd: the neighbour with an odd last bit when the sum is inexact."""
    s, t = _two_sum(a, b)
    even = (s.view(B.uint64) & B.uint64.type(1)) == 0
    return xp.where((t != 0) & even, xp.nextafter(s, xp.where(t > 0, xp.inf, -xp.inf)), s)


def fma64(a, b, c):
    """float64 a·b + c rounded once (an FMA), emulated exactly: the product split into two doubles
    (Dekker), then Boldo & Melquiond's sum with an inner rounding-to-odd ("Emulation of FMA and
    correctly rounded sums", IEEE TC 2008). torch's double kernels compute x·(b − a) + a and
    value·std + mean with an FMA; for std = 1, mean = 0 it is the plain value."""
    a, b, c = (xp.asarray(v, dtype=B.float64) for v in (a, b, c))
    uh = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl  # a·b == uh + ul exactly
    th, tl = _two_sum(c, ul)
    vh, vl = _two_sum(uh, th)
    return vh + _odd_sum(tl, vl)
