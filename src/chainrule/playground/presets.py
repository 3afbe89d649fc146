"""Classroom presets: the lectures' experiments, one click each (and one URL key, ``preset=NAME``).

A preset is a whole setup: TF Playground's defaults with a few settings changed, and a fixed seed, so every
student sees the same run. ``look`` says what to look at, and where; tests/playground/test_presets.py checks
that each run shows it.
"""

from __future__ import annotations

from .protocol import default_config, validate_config

SIX_SIGMOID = {"activation": "sigmoid", "networkShape": [8, 8, 8, 8, 8, 8]}

PRESETS = {
    "xor-line": {
        "title": "XOR, inputs X₁ and X₂ only",
        "patch": {"dataset": "xor", "networkShape": [], "learningRate": 0.1, "seed": 4},
        "look": "With no hidden layer the network is one straight line through the plane, and no line separates "
                "XOR: the loss stays near 0.5 and the accuracy near 50%. Next: add the feature X₁X₂.",
    },
    "xor-feature": {
        "title": "XOR with the feature X₁X₂",
        "patch": {"dataset": "xor", "networkShape": [], "learningRate": 0.1, "xTimesY": True, "seed": 4},
        "look": "The same single unit, given X₁X₂ (positive in two quadrants, negative in the others), separates "
                "XOR at once. A hidden layer can learn such features itself.",
    },
    "bend": {
        "title": "A hidden layer bends the plane",
        "patch": {"dataset": "circle", "networkShape": [4, 2], "hiddenView": 2, "seed": 1},
        "look": "Hidden layer's view (below): the input plane as the last hidden layer of 2 neurons sees it, with "
                "the grid lines and points carried along. The output unit can only draw a straight line there; "
                "as the network trains, the plane unfolds until that line separates blue from orange.",
    },
    "zero-init": {
        "title": "Zero initialisation",
        "patch": {"init": "zeros", "networkShape": [4, 4], "seed": 2},
        "look": "Every weight starts at 0, so every neuron of a layer computes the same thing and gets the same "
                "gradient, here 0: the thumbnails stay blank and only the output's bias learns. Random "
                "initialisation breaks the symmetry (Initialisation: U(−0.5, 0.5), then Reset).",
    },
    "dead-relu": {
        "title": "Dead ReLUs at a high learning rate",
        "patch": {"activation": "relu", "learningRate": 3, "networkShape": [8, 8], "seed": 3},
        "look": "Activations per layer: 'dead' counts ReLU units whose input is negative on every training point. "
                "One large step pushes them there and their gradient is 0 ever after: their thumbnails go blank. "
                "Try learning rate 0.03 and Reset.",
    },
    "saturation": {
        "title": "Saturation: large initial weights",
        "patch": {"init": "large", "networkShape": [6, 6], "seed": 5},
        "look": "Weights from N(0, 4²) push most tanh units onto their flat tails (Activations: saturated), where "
                "the slope is ~0: little gradient flows back and the loss hardly moves. Initialisation: "
                "U(−0.5, 0.5) or Xavier, then Reset.",
    },
    "vanishing": {
        "title": "Six sigmoid layers: vanishing gradients",
        "patch": {**SIX_SIGMOID, "seed": 1},
        "look": "Gradient norm per layer: each sigmoid multiplies the gradient by at most 0.25 on its way back, so "
                "the first layers' lines sit orders of magnitude below the output's, and the loss barely moves.",
    },
    "batchnorm": {
        "title": "Batch norm rescues the deep sigmoid network",
        "patch": {**SIX_SIGMOID, "batchNorm": [True] * 6, "seed": 1},
        "look": "The same six sigmoid layers with batch normalisation before each activation: every layer's input "
                "is re-centred and re-scaled, the gradients reach the first layers, and the loss falls.",
    },
    "dropout": {
        "title": "Dropout on a small noisy set",
        "patch": {"dataset": "circle", "noise": 50, "percTrainData": 20, "networkShape": [8, 8],
                  "dropout": [0.3, 0.3], "optimizer": "adam", "learningRate": 0.01, "showTestData": True,
                  "seed": 8},
        "look": "100 noisy training points and 16 neurons: without dropout the network learns the noise (training "
                "loss low, test loss high). Pin this run, set both layers to 'no drop', Reset and play: compare.",
    },
}


def config(name: str) -> dict:
    """The whole setup of a preset."""
    return default_config() | PRESETS[name]["patch"]


def for_page() -> list[dict]:
    return [{"name": name, "title": p["title"], "patch": validate_config(p["patch"]), "look": p["look"]}
            for name, p in PRESETS.items()]
