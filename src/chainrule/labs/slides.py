"""What the lectures say, as the labs quote it: one ``Slide`` per claim a lab tests.

The slide decks themselves are not in this repository. Each entry says where its wording comes from:

* ``QUOTED``: issue 19 ("Labs with error bars", written with both decks open) quotes the slide's words;
* ``DESCRIBED``: issue 19 describes what the slide says, in its own words;
* ``LAB``: the claim as the labs stated it before issue 19 — a paraphrase of the slide, not its wording;
* ``DOC``: a chainrule docstring that quotes the lecture (``train/callbacks.py``, ``train/plots.py``);
* ``TOPIC``: issue 19 names the topic as uncovered but quotes no sentence; the lab tests the textbook statement.

``deck`` and ``title`` are filled in where a source names them and are "—" otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

QUOTED = "issue 19 quotes the slide"
DESCRIBED = "issue 19 describes the slide"
LAB = "earlier lab text, a paraphrase"
DOC = "a chainrule docstring quotes the lecture"
TOPIC = "a topic issue 19 names; no slide sentence"


@dataclass(frozen=True)
class Slide:
    quote: str
    source: str
    deck: str = "—"
    title: str = "—"

    def to_json(self) -> dict:
        return asdict(self)


SLIDES = {
    # --- networks and activations
    "xor": Slide("A linear classifier cannot separate XOR; adding x1·x2 or one hidden layer fixes it.", LAB),
    "linear-stack": Slide("W2(W1x + b1) + b2 = W'x + b' with W' = W2W1, b' = W2b1 + b2; a nonlinearity in between "
                          "breaks this.", LAB),
    "relu-faster": Slide("ReLU trains faster than tanh and sigmoid (Krizhevsky et al. quote ~6x on CIFAR-10).", LAB),
    "relu-x6": Slide("ReLU vs tanh: ×6 (Krizhevsky et al.)", DESCRIBED),
    "relu-efficient": Slide("\"computationally efficient\" (ReLU, against the exp() of sigmoid and tanh)", QUOTED),
    "sigmoid-formula": Slide("σ written 1/(1+e^a)", DESCRIBED),
    "dead-relu": Slide("A large step can push a ReLU's pre-activation below zero for every input: it never "
                       "recovers.", LAB),
    "leaky-fix": Slide("ReLUs die at a high learning rate; LeakyReLU does not.", LAB),
    "prelu": Slide("PReLU's learned α", TOPIC),
    "elu": Slide("ELU's output mean", TOPIC),
    "saturation": Slide("With large initial weights most units sit on the flat tails, so the gradient vanishes "
                        "layer by layer.", LAB),
    "kills-gradient": Slide("saturation \"kills the gradient\"", QUOTED),
    "tanh-vs-sigmoid": Slide("With zero-centred data, tiny zero-mean weights and zero biases, tanh' = 1 but "
                             "sigmoid' = 1/4 at 0, and sigmoid's outputs sit at 1/2, not 0.", LAB),
    "go-deeper": Slide("the scalar \"go deeper\" network", QUOTED, deck="the second deck"),
    # --- initialisation
    "zero-init": Slide("Zero init keeps units identical.", LAB),
    "small-init": Slide("Small init collapses the signal with depth.", LAB),
    "xavier-he": Slide("Xavier (tanh) and He (ReLU) keep n·Var(w) at the right value and the activations steady "
                       "over 10 layers.", LAB),
    "xavier-nout": Slide("n_out in the Xavier forward variance", DESCRIBED),
    "uniform-init": Slide("the Tricks-of-the-Trade U[−1/√n, 1/√n] init", DESCRIBED),
    "sigmoid-zero-init": Slide("the slide's own sigmoid zero-init example", DESCRIBED),
    # --- optimisation
    "sgd-update": Slide("the update written \"w = η ∂L/∂w\"", QUOTED),
    "sgd-table": Slide("b = 1.75 in the SGD table", DESCRIBED),
    "optimizers": Slide("Momentum and adaptive steps get through ravines and saddles faster; the learning rate "
                        "matters most.", LAB),
    "cache-sqrt": Slide("Adagrad, RMSProp and Adam dividing by cache+ε without the square root", DESCRIBED),
    "adam-bias": Slide("Adam with vs without bias correction (the slide's form)", DESCRIBED),
    "adadelta": Slide("Adadelta", TOPIC),
    "lr-decay": Slide("learning-rate decay", TOPIC),
    "batch-size": Slide("minibatch size vs gradient noise", TOPIC),
    "input-norm": Slide("input normalisation", TOPIC),
    "monitor": Slide("\"monitor your model quality\"; \"early stopping: keep the model with the best validation "
                     "score\"", DOC),
    # --- normalisation and regularisation
    "batchnorm": Slide("Normalising each layer's pre-activations keeps their statistics steady and trains a deep "
                       "net faster.", LAB),
    "bn-eps": Slide("batch norm without ε", DESCRIBED),
    "bn-eval": Slide("batch norm's moving averages at test time (and forgetting model.eval())", DESCRIBED),
    "dropout-gap": Slide("Dropout narrows the train/validation gap.", LAB),
    "dropout-ensemble": Slide("Averaging many dropout passes approximates eval mode.", LAB),
    "dropout-p": Slide("dropout's test-time scaling, with p the keep-probability (torch's p is the drop "
                       "probability)", DESCRIBED),
    "augmentation": Slide("Random shifts and noise act as more data: test accuracy rises when training digits are "
                          "few.", LAB),
    # --- backprop
    "backprop": Slide("dense -> sigmoid -> dense -> softmax -> log-loss: the slide's formulas give the engine's "
                      "gradients.", LAB, deck="MLHEP"),
    "log-loss-sign": Slide("the log-loss sign", DESCRIBED),
    "sigmoid-grad": Slide("∂L/∂h with e^{−q} for e^{−h}", DESCRIBED),
}


def slide(key: str) -> Slide:
    try:
        return SLIDES[key]
    except KeyError:
        raise KeyError(f"no slide {key!r} in labs.slides.SLIDES") from None
