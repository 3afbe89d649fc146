"""Random numbers: ``manual_seed``, ``Generator``, and the one adapter every random draw goes through.

All of chainrule's randomness (weight init, dropout masks, shuffles, toy data sets) flows through
``as_rng``: ``None`` means the default generator that ``chainrule.manual_seed`` seeds, never a second
global stream, so one seed makes a whole run repeatable.
"""

from __future__ import annotations

import numbers
import os

from . import backend as B


class Generator:
    """A seeded source of random numbers (wraps a NumPy PCG64 generator, ``.rng``)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721  # torch's default seed
        self.rng = B.new_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
        self._seed = seed
        self.rng = B.new_rng(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def get_state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: the same seed gives the same weights, shuffles and dropout masks."""
    return default_generator.manual_seed(int(seed))


def initial_seed() -> int:
    return default_generator.initial_seed()


def as_rng(seed=None):
    """The NumPy ``random.Generator`` behind a ``generator=`` / ``seed=`` argument.

    ``None`` → chainrule's default generator (seeded by ``chainrule.manual_seed``); a ``chainrule.Generator``
    or a ``numpy.random.Generator`` → its stream; an ``int`` → a fresh PCG64 generator seeded with it.
    """
    if seed is None:
        return default_generator.rng
    if isinstance(seed, Generator):
        return seed.rng
    if B.is_rng(seed):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed}")
        return B.new_rng(int(seed))
    raise TypeError(
        f"seed/generator must be None, an int, a numpy.random.Generator or a chainrule.Generator; "
        f"got {type(seed).__name__}"
    )
