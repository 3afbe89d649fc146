"""Random numbers: ``manual_seed`` and ``Generator``. All of chainrule's randomness flows through here."""

from __future__ import annotations

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
        s = int.from_bytes(__import__("os").urandom(8), "little")
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


def get_rng(generator=None):
    """The NumPy generator behind ``generator`` (or the default one)."""
    return (generator or default_generator).rng
