"""A small convolutional network builder: ``build_cnn`` gives the ``nn.Sequential`` that ``chainrule train
--model cnn`` trains on the 8×8 digits (the CNN beside nn/mlp.py's MLP).

    build_cnn((1, 8, 8), 10)
    # Unflatten → [Conv 3×3 → BatchNorm2d → ReLU] × 2 → MaxPool2d(2) → Conv 3×3 → BatchNorm2d → ReLU
    #           → MaxPool2d(2) → Flatten → Dropout → Linear

Each stage is ``Conv2d(3×3, padding=1) → [BatchNorm2d] → activation`` (a 'same' convolution: only the pools
shrink the image), ``convs_per_pool`` of them before each 2×2 max-pool; ``channels`` gives the width of
each pooling stage. The input may come flat (a 64-vector for the digits): the first layer reshapes it to
``in_shape``. After the last pool, the feature maps are flattened into one vector per image for the linear
classifier. Modules are created in order, so a seed fixes every initial weight.
"""

from __future__ import annotations

from .activation import ReLU
from .batchnorm import BatchNorm2d
from .container import Sequential
from .conv import Conv2d
from .dropout import Dropout
from .linear import Flatten, Linear, Unflatten
from .pooling import MaxPool2d


def build_cnn(in_shape, n_out, channels=(32, 64), *, convs_per_pool=(2, 1), activation=ReLU, batchnorm=True,
              dropout=0.25, flat_input=True) -> Sequential:
    """A VGG-style CNN for small images as an ``nn.Sequential`` (see the module docstring).

    ``in_shape``: (C, H, W) of one image; H and W must halve cleanly once per entry of ``channels``.
    ``convs_per_pool``: how many 3×3 convolutions before each pool (an int for all stages, or one per stage).
    ``activation``: a module class or zero-argument factory. ``dropout``: before the classifier.
    ``flat_input``: the network takes (N, C·H·W) rows (as ``chainrule train`` feeds it) and reshapes them.
    """
    c, h, w = (int(s) for s in in_shape)
    channels = [int(ch) for ch in channels]
    reps = [convs_per_pool] * len(channels) if isinstance(convs_per_pool, int) else list(convs_per_pool)
    if len(reps) != len(channels) or any(r < 1 for r in reps) or any(ch < 1 for ch in channels):
        raise ValueError(f"build_cnn: channels {channels} and convs_per_pool {convs_per_pool} must be positive, one "
                         f"convs_per_pool per stage")
    if h >> len(channels) < 1 or w >> len(channels) < 1:
        raise ValueError(f"build_cnn: a {h}×{w} image cannot be halved {len(channels)} times ({len(channels)} stages)")
    layers = [Unflatten(1, (c, h, w))] if flat_input else []
    prev = c
    for width, n_conv in zip(channels, reps):
        for _ in range(n_conv):
            layers.append(Conv2d(prev, width, 3, padding=1, bias=not batchnorm))  # BN's shift replaces the bias
            if batchnorm:
                layers.append(BatchNorm2d(width))
            layers.append(activation())
            prev = width
        layers.append(MaxPool2d(2))
        h, w = h // 2, w // 2
    layers.append(Flatten())
    if dropout > 0:
        layers.append(Dropout(dropout))
    layers.append(Linear(prev * h * w, n_out))
    return Sequential(*layers)
