"""Dropout (Srivastava et al., 2014), PyTorch's inverted form; Dropout1d/2d drop whole channels."""

from __future__ import annotations

from . import functional as F
from . import functional_conv as FC
from .module import Module


class Dropout(Module):
    """In training, zero each element with probability p and scale the survivors by 1/(1 − p); in
    evaluation (``model.eval()``), the identity.

    **Slide vs torch: two different p's.** The slide keeps each unit with probability p (a *keep*
    probability) and at test time multiplies the weights (activations) by that p, which gives the same
    expected activation at train and test time. Here, as in torch, ``p`` is the probability to *drop*:
    the slide's keep probability 0.8 is ``Dropout(0.2)``, and ``Dropout(0.8)`` drops 80 % of the units.
    Inverted dropout divides by the keep probability 1 − p during training instead, so E[y] = x in
    training and the network is used unchanged at test time: the same model up to that constant factor
    (``chainrule lab dropout-scaling`` measures both rules and the mix-ups).
    Masks come from chainrule's default generator (reproducible under ``chainrule.manual_seed``).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zero whole channels of (N, C, L) (or (C, L)) with probability p, one draw per sample and channel;
    survivors scaled by 1/(1 − p). For sequences where neighbouring positions are correlated."""

    def forward(self, input):
        return FC.dropout1d(input, self.p, self.training)


class Dropout2d(Dropout):
    """Zero whole feature maps of (N, C, H, W) with probability p (one draw per sample and channel), the
    survivors scaled by 1/(1 − p). Neighbouring pixels are correlated, so per-pixel dropout after a
    convolution hardly regularises; dropping a whole channel does (Tompson et al., 2015)."""

    def forward(self, input):
        return FC.dropout2d(input, self.p, self.training)
