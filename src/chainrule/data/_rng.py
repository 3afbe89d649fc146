"""One place that turns ``seed`` / ``generator`` arguments into a NumPy random generator.

All randomness in ``chainrule.data`` flows through here, so ``chainrule.manual_seed`` makes it repeatable:
``None`` means chainrule's default generator (the one ``manual_seed`` seeds), never a second global RNG.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..random import Generator, default_generator


def as_rng(seed=None) -> np.random.Generator:
    """A ``numpy.random.Generator`` for ``seed``.

    ``None`` → chainrule's default generator (seeded by ``chainrule.manual_seed``); an ``int`` → a fresh
    PCG64 generator seeded with it; a ``numpy.random.Generator`` or a ``chainrule.Generator`` → its stream.
    """
    if seed is None:
        return default_generator.rng
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, Generator):
        return seed.rng
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed}")
        return np.random.default_rng(int(seed))
    raise TypeError(
        f"seed/generator must be None, an int, a numpy.random.Generator or a chainrule.Generator; "
        f"got {type(seed).__name__}"
    )
