"""scikit-learn estimators on chainrule: ``MLPClassifier`` and ``MLPRegressor``.

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from chainrule.sklearn import MLPClassifier
    clf = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), max_iter=100))
    clf.fit(X_train, y_train).score(X_test, y_test)

They follow scikit-learn's estimator contract (``check_estimator`` passes): parameters are stored by
``__init__`` untouched and validated in ``fit``; fitted attributes end in ``_``; they work in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score``. Under the hood: an ``nn.Sequential`` MLP in float64, trained
with ``chainrule.train.fit`` and a ``chainrule.optim`` optimizer. Needs scikit-learn (``pip install
chainrule[sklearn]``).

Differences from ``sklearn.neural_network``: ``solver`` may be any chainrule optimizer (sgd, adam, adamw,
rmsprop, adagrad, adadelta; scikit-learn's 'lbfgs' is not offered); the parameters have scikit-learn's names
and meanings (``learning_rate_init``, ``alpha``: the L2 penalty (alpha/2)·‖W‖²/batch on the weights, not the
biases, as scikit-learn's loss adds it; ``batch_size``, ``max_iter``, ``hidden_layer_sizes``, ``activation``
with 'identity', 'logistic', 'tanh', 'relu' and a few more, ``beta_1``, ``beta_2``, ``epsilon``,
``momentum``, ``nesterovs_momentum``), so a grid written for scikit-learn's MLP runs unchanged; the classifier
always has one output per class (softmax + cross-entropy, also for two classes); the regressor
standardises the targets internally (and undoes it in ``predict``), so unscaled targets train well.
Randomness: ``random_state`` seeds chainrule's generator *inside* fit only; the global state is restored.
"""

from __future__ import annotations

import contextlib
import numbers
import warnings

import numpy as np

from . import _optional as optional
from .train.callbacks import Callback, EarlyStopping

optional.require("sklearn.utils.validation", "chainrule.sklearn")
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from sklearn.utils.multiclass import check_classification_targets  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402

__all__ = ["MLPClassifier", "MLPRegressor"]

# scikit-learn's activation names (and a few of torch's); nn.activation_registry says what each one is
_ACTIVATIONS = ("relu", "tanh", "logistic", "sigmoid", "identity", "leaky_relu", "elu", "gelu", "silu", "softplus")
_SOLVERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
            "adadelta": "Adadelta"}


@contextlib.contextmanager
def _seeded(seed):
    """Seed chainrule's default generator for the block, then put its previous state back."""
    from .engine.rng import default_generator

    saved = default_generator.get_state()
    default_generator.manual_seed(int(seed))
    try:
        yield
    finally:
        default_generator.set_state(saved)


class _Converged(Callback):
    """scikit-learn's stopping rule: stop once the training loss has not fallen by more than ``tol`` below
    the best so far for ``n_iter_no_change`` epochs in a row."""

    def __init__(self, tol, n_iter_no_change):
        self.tol, self.patience, self.best, self.bad = tol, n_iter_no_change, np.inf, 0

    def on_epoch_end(self, epoch, logs):
        loss = logs["loss"]
        self.bad = self.bad + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        if self.bad >= self.patience:
            self.trainer.stop_training = True
            self.trainer.stop_reason = "converged"


def _check_params(est):
    """Validate the hyperparameters (in fit, as scikit-learn requires), naming the bad one."""
    def bad(name, allowed):
        raise ValueError(f"{type(est).__name__}: {name}={getattr(est, name)!r} is invalid; expected {allowed}")

    sizes = est.hidden_layer_sizes
    sizes = (sizes,) if isinstance(sizes, numbers.Integral) else sizes
    try:
        sizes = tuple(sizes)
    except TypeError:
        bad("hidden_layer_sizes", "a tuple of positive ints, e.g. (100,) or (64, 64)")
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        bad("hidden_layer_sizes", "a tuple of positive ints, e.g. (100,) or (64, 64)")
    if est.activation not in _ACTIVATIONS:
        bad("activation", "one of " + ", ".join(_ACTIVATIONS))
    if est.solver not in _SOLVERS:
        bad("solver", "one of " + ", ".join(_SOLVERS))
    for name, lo in (("learning_rate_init", 0.0), ("tol", None), ("alpha", None), ("momentum", None),
                     ("epsilon", 0.0)):
        v = getattr(est, name)
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or v < 0 or (lo is not None and v <= lo):
            bad(name, "a positive number" if lo is not None else "a number >= 0")
    for name in ("beta_1", "beta_2"):
        if not 0 <= getattr(est, name) < 1:
            bad(name, "a number in [0, 1)")
    if not 0 <= est.dropout < 1:
        bad("dropout", "a number in [0, 1)")
    for name in ("max_iter", "n_iter_no_change"):
        v = getattr(est, name)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            bad(name, "an int >= 1")
    b = est.batch_size
    if b != "auto" and (isinstance(b, bool) or not isinstance(b, numbers.Integral) or b < 1):
        bad("batch_size", "'auto' (min(200, n_samples)) or an int >= 1")
    if not 0 < est.validation_fraction < 1:
        bad("validation_fraction", "a number in (0, 1)")
    return [int(s) for s in sizes]


class _BaseMLP(BaseEstimator):
    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate_init=0.001, max_iter=200, shuffle=True, random_state=None,
                 tol=1e-4, verbose=False, momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10,
                 batchnorm=False, dropout=0.0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.nesterovs_momentum = nesterovs_momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.momentum = momentum
        self.batchnorm = batchnorm
        self.dropout = dropout
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------------------------- building
    def _batch_size(self, n):
        return min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)

    def _build(self, n_in, n_out, sizes, n):
        from . import optim
        from .nn.mlp import build_mlp

        self._seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        with _seeded(self._seed):  # the initial weights are drawn as the layers are made
            self.model_ = build_mlp([n_in, *sizes, n_out], self.activation, batchnorm=bool(self.batchnorm),
                                    dropout=self.dropout).double()  # float64: predictions agree across batchings
        # scikit-learn's penalty: loss + (alpha/2)·Σ‖W‖²/batch over the weight matrices (not the biases), whose
        # gradient alpha·W/batch is weight_decay = alpha/batch on the weights
        weights = [p for name, p in self.model_.named_parameters() if name.endswith("weight") and p.dim() > 1]
        others = [p for name, p in self.model_.named_parameters() if not (name.endswith("weight") and p.dim() > 1)]
        groups = [{"params": weights, "weight_decay": self.alpha / self._batch_size(n)},
                  {"params": others, "weight_decay": 0.0}]
        kw = {"lr": self.learning_rate_init}
        if self.solver in ("sgd", "rmsprop"):
            kw["momentum"] = self.momentum
        if self.solver == "sgd":
            kw["nesterov"] = bool(self.nesterovs_momentum) and self.momentum > 0
        if self.solver in ("adam", "adamw"):
            kw.update(betas=(self.beta_1, self.beta_2), eps=self.epsilon)
        self.optimizer_ = getattr(optim, _SOLVERS[self.solver])(groups, **kw)
        self.loss_curve_, self.n_iter_, self.t_ = [], 0, 0

    def _train(self, X, t, epochs, incremental):
        """Train on X (float64) and encoded targets t for up to ``epochs`` epochs."""
        from .engine import from_numpy
        from .train import fit

        n = X.shape[0]
        bs = self._batch_size(n)
        callbacks, val = [], None
        Xt, tt = from_numpy(np.ascontiguousarray(X)), from_numpy(np.ascontiguousarray(t))
        if self.early_stopping and not incremental:
            tr, va = self._validation_split(t)
            Xt, tt, val = from_numpy(X[tr]), from_numpy(t[tr]), (from_numpy(X[va]), from_numpy(t[va]))
            callbacks.append(EarlyStopping("val_loss", patience=self.n_iter_no_change, min_delta=self.tol))
        elif not incremental:
            callbacks.append(_Converged(self.tol, self.n_iter_no_change))
        with _seeded(self._seed + 1 + self.n_iter_):  # each partial_fit call continues a repeatable stream
            history = fit(self.model_, self._loss(), self.optimizer_, (Xt, tt), val, epochs=epochs,
                          callbacks=callbacks, batch_size=bs, shuffle=bool(self.shuffle), verbose=bool(self.verbose))
        self.model_.eval()
        self.history_ = history
        self.loss_curve_ = list(self.loss_curve_) + list(history["loss"])
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = float(np.min(self.loss_curve_))
        self.n_iter_ += len(history)
        self.t_ += n * len(history)
        if not incremental and history.stop_reason is None and len(history) == epochs:
            warnings.warn(f"{type(self).__name__}: max_iter={self.max_iter} reached and the optimization hasn't "
                          f"converged yet", ConvergenceWarning, stacklevel=3)

    def _validation_split(self, t):
        rng = np.random.RandomState(self._seed)
        n = len(t)
        n_val = max(1, int(round(self.validation_fraction * n)))
        if n - n_val < 1:
            raise ValueError(f"early_stopping: {n} samples are too few to hold out validation_fraction="
                             f"{self.validation_fraction}")
        perm = rng.permutation(n)
        return perm[n_val:], perm[:n_val]

    def _forward(self, X):
        from .train import predict

        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return predict(self.model_, np.ascontiguousarray(X)).numpy()

    def _fit_all(self, X, t, n_out, incremental):
        sizes = _check_params(self)
        if not incremental or not hasattr(self, "model_"):
            self._build(X.shape[1], n_out, sizes, X.shape[0])
        self._train(X, t, 1 if incremental else self.max_iter, incremental)
        return self


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer-perceptron classifier: softmax outputs trained with cross-entropy.

    Parameters: ``hidden_layer_sizes`` (widths of the hidden layers), ``activation`` (relu, tanh, logistic,
    identity, ...), ``solver`` (adam, sgd, adamw, rmsprop, adagrad, adadelta), ``learning_rate_init``, ``alpha``
    (L2 penalty, as scikit-learn's), ``batch_size`` ('auto' = min(200, n)), ``max_iter`` (epochs),
    ``beta_1``/``beta_2``/``epsilon`` (adam), ``nesterovs_momentum`` (sgd), ``tol``/``n_iter_no_change``
    (stop when the loss stalls), ``early_stopping``/``validation_fraction`` (stop on a held-out part),
    ``momentum`` (sgd, rmsprop), ``batchnorm``, ``dropout``, ``random_state``, ``verbose``.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``model_`` (the ``nn.Sequential``), ``optimizer_``,
    ``loss_curve_``, ``loss_``, ``best_loss_``, ``n_iter_``, ``history_`` (the last fit's ``History``).
    """

    def _loss(self):
        from .nn import CrossEntropyLoss

        return CrossEntropyLoss()

    def _encode(self, y, classes=None, first=True):
        check_classification_targets(y)
        if first:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            if len(self.classes_) < 2:
                raise ValueError(f"{type(self).__name__} can't train when only one class is present "
                                 f"(1 class: {self.classes_[0]!r}); y needs at least 2 classes")
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(f"y contains classes not in classes_ {list(self.classes_)}: {list(unseen)}")
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def fit(self, X, y):
        """Train from scratch on X (n_samples, n_features) and labels y (n_samples,); returns self."""
        X, y = validate_data(self, X, y, reset=True, dtype=np.float64)
        t = self._encode(y)
        return self._fit_all(X, t, len(self.classes_), incremental=False)

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing from the current weights. The first call needs ``classes``
        (all labels that will ever appear), as in scikit-learn."""
        first = not hasattr(self, "model_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit (all the labels)")
        X, y = validate_data(self, X, y, reset=first, dtype=np.float64)
        t = self._encode(y, classes, first)
        return self._fit_all(X, t, len(self.classes_), incremental=True)

    def predict_proba(self, X):
        """Class probabilities softmax(z) (n_samples, n_classes), columns in the order of ``classes_``."""
        z = self._forward(X)
        e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: exp cannot overflow
        return e / e.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        z = self._forward(X)
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    def predict(self, X):
        """The most probable class of each sample (a label from ``classes_``)."""
        z = self._forward(X)
        return self.classes_[np.argmax(z, axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer-perceptron regressor: linear outputs trained with mean squared error; one or several
    targets (y of shape (n,) or (n, n_targets)). Targets are standardised internally (``y_mean_``,
    ``y_scale_``). Parameters and fitted attributes as ``MLPClassifier`` (without ``classes_``)."""

    def _loss(self):
        from .nn import MSELoss

        return MSELoss()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _encode(self, y, first):
        y2 = y.reshape(len(y), -1).astype(np.float64)
        if first:
            self._y_1d = y.ndim == 1
            self.y_mean_ = y2.mean(axis=0)
            std = y2.std(axis=0)
            self.y_scale_ = np.where(std > 0, std, 1.0)
        elif y2.shape[1] != self.y_mean_.shape[0]:
            raise ValueError(f"y has {y2.shape[1]} targets, but {type(self).__name__} was fitted with "
                             f"{self.y_mean_.shape[0]}")
        return (y2 - self.y_mean_) / self.y_scale_

    def fit(self, X, y):
        """Train from scratch on X (n_samples, n_features) and targets y; returns self."""
        X, y = validate_data(self, X, y, reset=True, dtype=np.float64, multi_output=True, y_numeric=True)
        t = self._encode(y, True)
        return self._fit_all(X, t, t.shape[1], incremental=False)

    def partial_fit(self, X, y):
        """One epoch over (X, y), continuing from the current weights (the first call fixes the target
        scaling)."""
        first = not hasattr(self, "model_")
        X, y = validate_data(self, X, y, reset=first, dtype=np.float64, multi_output=True, y_numeric=True)
        t = self._encode(y, first)
        return self._fit_all(X, t, t.shape[1], incremental=True)

    def predict(self, X):
        """Predicted targets, (n_samples,) or (n_samples, n_targets) as y was in fit."""
        out = self._forward(X) * self.y_scale_ + self.y_mean_
        return out[:, 0] if self._y_1d else out
