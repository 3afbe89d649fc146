"""The labs: the lectures' claims re-run on real data, each with its figures and its measured numbers.

    from chainrule import labs
    labs.names()                              # every lab, in the lectures' order
    result = labs.run("xor", out="lab-results", seed=0)
    result.numbers, result.conclusion          # what was measured, and what it means
    result                                     # in Jupyter: the claims, verdicts and figures inline
    labs.run_all(out="lab-results")            # every lab + lab-results/report.html
    labs.run("xor", mode="full")              # 5 seeds, on the sweep executor (local worker processes)

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
    slides: tuple  # keys of labs.slides.SLIDES: the lecture claims this lab tests

    @property
    def claim(self) -> str:
        """The first slide's words (the one-line claim of the report)."""
        from .slides import slide

        return slide(self.slides[0]).quote

    @property
    def run(self):
        return importlib.import_module(f"{__name__}.{self.module}").run


LABS = [
    # networks and activations
    Lab("xor", "xor", "XOR needs a hidden layer (or the feature x1·x2)", ("xor",)),
    Lab("linear-stack", "linear_stack", "Stacked linear layers are one linear layer", ("linear-stack",)),
    Lab("activations", "activations", "Activations: how fast each trains, each at its best learning rate",
        ("relu-faster", "relu-x6")),
    Lab("activation-depth", "activation_depth", "Activations at depth 1 to 8", ("relu-faster",)),
    Lab("exp-cost", "exp_cost", "The cost of exp(): is ReLU computationally efficient?", ("relu-efficient",)),
    Lab("dead-relu", "dead_relu", "Dead ReLUs at a high learning rate, and LeakyReLU", ("dead-relu", "leaky-fix")),
    Lab("prelu", "prelu", "PReLU: what α learns", ("prelu",)),
    Lab("elu-mean", "elu_mean", "ELU's output mean", ("elu",)),
    Lab("saturation", "saturation", "Large weights saturate sigmoid/tanh units", ("saturation", "kills-gradient")),
    Lab("tanh-vs-sigmoid", "tanh_vs_sigmoid", "Tanh or sigmoid: which gives the larger first gradient?",
        ("tanh-vs-sigmoid",)),
    Lab("go-deeper", "go_deeper", "The scalar network that goes deeper", ("go-deeper",)),
    # initialisation
    Lab("init", "init", "Initialisation: symmetry, vanishing and exploding activations",
        ("zero-init", "small-init", "xavier-he", "xavier-nout")),
    Lab("uniform-init", "uniform_init", "U[−1/√n, 1/√n] (Tricks of the Trade): n·Var(w) = 1/3", ("uniform-init",)),
    Lab("sigmoid-zero-init", "sigmoid_zero_init", "A sigmoid network initialised with zeros",
        ("sigmoid-zero-init",)),
    Lab("input-normalisation", "input_normalisation", "Input normalisation", ("input-norm",)),
    # optimisation
    Lab("optimizers", "optimizers", "SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, each at its best rate",
        ("optimizers",)),
    Lab("adam-bias-correction", "adam_bias", "Adam with and without bias correction (and without the √)",
        ("adam-bias", "cache-sqrt")),
    Lab("adadelta", "adadelta", "Adadelta: no learning rate to tune?", ("adadelta",)),
    Lab("lr-decay", "lr_decay", "Learning-rate decay", ("lr-decay",)),
    Lab("batch-size", "batch_size", "Minibatch size and gradient noise", ("batch-size",)),
    Lab("early-stopping", "early_stopping", "Monitoring and early stopping", ("monitor",)),
    # normalisation and regularisation
    Lab("batchnorm", "batchnorm", "Batch normalisation in a deep network", ("batchnorm",)),
    Lab("batchnorm-eval", "batchnorm_eval", "Batch norm at test time: moving averages, model.eval() and ε",
        ("bn-eval", "bn-eps")),
    Lab("dropout", "dropout", "Dropout (and L2) on a small training set", ("dropout-gap", "dropout-ensemble")),
    Lab("dropout-scaling", "dropout_scaling", "Dropout's test-time scaling: keep-probability p or drop p?",
        ("dropout-p",)),
    Lab("augmentation", "augmentation", "Data augmentation with few training digits", ("augmentation",)),
    # backprop
    Lab("backprop-by-hand", "backprop_by_hand", "Backpropagation by hand (MLHEP example)",
        ("backprop", "log-loss-sign", "sigmoid-formula", "sigmoid-grad", "sgd-update", "sgd-table")),
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
        save: bool = True, echo=print, seeds: int | None = None, executor=None, workers: int | None = None
        ) -> LabResult:
    """Run lab ``name``; its files go to ``out/name/``. ``mode``: 'live' (default) | 'full' (overrides full);
    ``seeds``: how many (default 3 live, 5 full). Where the trials run: ``executor`` if given; in full mode
    otherwise the sweep executor with ``workers`` local processes (None: one per CPU; 0: this process)."""
    from ._common import ALIASES
    from ._seeds import make_executor

    lab = get(name)
    mode = ALIASES.get(mode, mode) or ("full" if full else "live")
    own = make_executor(workers) if executor is None and mode == "full" and workers != 0 else None
    try:
        return run_lab(lab, Path(out) / name, seed=seed, mode=mode, save=save, echo=echo, seeds=seeds,
                       executor=executor or own)
    finally:
        if own is not None:
            own.close()


def run_all(out="lab-results", seed: int = 0, full: bool = False, mode: str | None = None, only=None,
            echo=print, seeds: int | None = None, workers: int | None = None, executor=None
            ) -> tuple[list[LabResult], Path]:
    """Run every lab (or those in ``only``) and write ``out/report.html``; returns (results, report path).

    Where the trials run: ``executor`` if given (``_seeds.make_executor``: local processes or Dask); in full
    mode otherwise one executor of ``workers`` local processes (None: one per CPU) shared by every lab."""
    from ._common import ALIASES
    from ._seeds import make_executor
    from .report import write_report

    mode = ALIASES.get(mode, mode) or ("full" if full else "live")
    own = make_executor(workers) if executor is None and mode == "full" and workers != 0 else None
    try:
        results = [run(lab.name, out, seed, mode=mode, echo=echo, seeds=seeds, executor=executor or own)
                   for lab in LABS if only is None or lab.name in only]
    finally:
        if own is not None:
            own.close()
    return results, write_report(results, Path(out))


__all__ = ["LABS", "Lab", "LabResult", "get", "names", "run", "run_all"]
