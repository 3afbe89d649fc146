"""The labs: the lectures' claims re-run on real data, each with its figures and its measured numbers.

    from chainrule import labs
    labs.names()                              # every lab, in the lectures' order
    result = labs.run("xor", out="lab-results", seed=0)
    result.numbers, result.conclusion          # what was measured, and what it means
    labs.run_all(out="lab-results")            # every lab + lab-results/report.html

Each lab lives in its own module with a ``run(ctx)`` function; this registry imports it only when it runs,
so ``chainrule lab list`` is instant.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ._common import LabResult, run_lab


@dataclass(frozen=True)
class Lab:
    name: str
    module: str
    title: str
    claim: str

    @property
    def run(self):
        return importlib.import_module(f"{__name__}.{self.module}").run


LABS = [
    Lab("xor", "xor", "XOR needs a hidden layer (or the feature x1·x2)",
        "A linear classifier cannot separate XOR; adding x1·x2 or one hidden layer fixes it."),
    Lab("linear-stack", "linear_stack", "Stacked linear layers are one linear layer",
        "W2(W1x + b1) + b2 = W'x + b' with W' = W2W1, b' = W2b1 + b2; a nonlinearity in between breaks this."),
    Lab("activations", "activations", "Activations, their derivatives, and how fast each trains",
        "ReLU trains faster than tanh and sigmoid (Krizhevsky et al. quote ~6x on CIFAR-10)."),
    Lab("dead-relu", "dead_relu", "ReLUs die at a high learning rate; LeakyReLU does not",
        "A large step can push a ReLU's pre-activation below zero for every input: it never recovers."),
    Lab("saturation", "saturation", "Large weights saturate sigmoid/tanh units and kill the gradient",
        "With large initial weights most units sit on the flat tails, so the gradient vanishes layer by layer."),
    Lab("init", "init", "Initialisation: symmetry, vanishing and exploding activations",
        "Zero init keeps units identical; small init collapses the signal with depth; Xavier (tanh) and He "
        "(ReLU) keep n*Var(w) at the right value and the activations steady over 10 layers."),
    Lab("tanh-vs-sigmoid", "tanh_vs_sigmoid", "Tanh or sigmoid: which gives the larger first gradient?",
        "With zero-centred data, tiny zero-mean weights and zero biases, tanh' = 1 but sigmoid' = 1/4 at 0, "
        "and sigmoid's outputs sit at 1/2, not 0."),
    Lab("optimizers", "optimizers", "SGD, momentum, Nesterov, Adagrad, RMSprop, Adam",
        "Momentum and adaptive steps get through ravines and saddles faster; the learning rate matters most."),
    Lab("batchnorm", "batchnorm", "Batch normalisation in a deep network",
        "Normalising each layer's pre-activations keeps their statistics steady and trains a deep net faster."),
    Lab("dropout", "dropout", "Dropout (and L2) on a small training set",
        "Dropout narrows the train/validation gap; averaging many dropout passes approximates eval mode."),
    Lab("augmentation", "augmentation", "Data augmentation with few training digits",
        "Random shifts and noise act as more data: test accuracy rises when training digits are few."),
    Lab("backprop-by-hand", "backprop_by_hand", "Backpropagation by hand (MLHEP example)",
        "dense -> sigmoid -> dense -> softmax -> log-loss: the slide's formulas give the engine's gradients."),
]

_BY_NAME = {lab.name: lab for lab in LABS}


def names() -> list[str]:
    return [lab.name for lab in LABS]


def get(name: str) -> Lab:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown lab {name!r}; the labs are: {', '.join(names())}") from None


def run(name: str, out="lab-results", seed: int = 0, full: bool = False, mode: str | None = None,
        save: bool = True, echo=print) -> LabResult:
    """Run lab ``name``; its files go to ``out/name/``. ``mode``: 'quick' | 'fast' | 'full' (overrides full)."""
    lab = get(name)
    mode = mode or ("full" if full else "fast")
    return run_lab(lab, Path(out) / name, seed=seed, mode=mode, save=save, echo=echo)


def run_all(out="lab-results", seed: int = 0, full: bool = False, mode: str | None = None, only=None,
            echo=print) -> tuple[list[LabResult], Path]:
    """Run every lab (or those in ``only``) and write ``out/report.html``; returns (results, report path)."""
    from .report import write_report

    results = [run(lab.name, out, seed, full, mode, echo=echo) for lab in LABS
               if only is None or lab.name in only]
    return results, write_report(results, Path(out))


__all__ = ["LABS", "Lab", "LabResult", "get", "names", "run", "run_all"]
