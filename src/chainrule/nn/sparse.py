"""Embedding: a lookup table of learned vectors, one row per index (torch.nn.sparse's name)."""

from __future__ import annotations

from ..autograd import no_grad
from ..engine import Tensor, empty, tensor, where
from . import init
from .module import Module
from .parameter import Parameter


def embedding(input, weight, padding_idx=None) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: out[..., :] = weight[input[...], :].

    The same as multiplying one-hot rows by ``weight``, without building them: the gradient adds ∂L/∂out
    into the picked rows (a row picked twice gets both); the ``padding_idx`` row gets none."""
    idx = input if isinstance(input, Tensor) else tensor(input)
    if not idx.dtype.name.startswith(("int", "uint")):
        raise TypeError(f"embedding: the indices must be an integer (int64) tensor, got dtype {idx.dtype}")
    n = weight.shape[0]
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError(f"embedding: indices must be in [0, {n}) (num_embeddings={n}), got "
                         f"{int(idx.min())}..{int(idx.max())}")
    out = weight[idx]
    if padding_idx is not None and bool((idx == padding_idx % n).any()):
        keep = (idx != padding_idx % n).unsqueeze(-1)  # the padding row's vector is used but never learned
        out = where(keep, out, out.detach())
    return out


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1) as in torch;
    ``padding_idx``'s row starts at zero and receives no gradient."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None, device=None, dtype=None) -> None:
        super().__init__()
        for name, v in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Embedding: {name} must be a positive int, got {v!r}")
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                             f"got {padding_idx}")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W ~ N(0, 1), the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
