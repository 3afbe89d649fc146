"""chainrule.sklearn: scikit-learn's estimator contract (check_estimator), meta-estimators, behaviour."""

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_digits, load_iris, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_pipeline_and_grid_search(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=100, random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__learning_rate_init": [0.001, 0.01],
                               "mlpclassifier__activation": ["relu", "tanh"]}, cv=3)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"mlpclassifier__learning_rate_init", "mlpclassifier__activation"}
    assert grid.best_score_ > 0.9
    assert grid.predict(X).shape == (150,) and set(grid.predict(X)) <= {0, 1, 2}


def test_cross_val_score_on_digits():
    X, y = load_digits(return_X_y=True)
    scores = cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), random_state=0)),
                             X, y, cv=3)
    assert scores.mean() > 0.92


def test_predict_proba_string_labels_and_score(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=150, random_state=0).fit(X, labels)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert (clf.predict(X) == clf.classes_[proba.argmax(1)]).all()
    assert clf.score(X, labels) > 0.9 and clf.n_iter_ == len(clf.loss_curve_) <= 150


def test_random_state_repeats_and_leaves_the_global_generator_alone(iris):
    X, y = iris
    cr.manual_seed(5)
    expected = cr.rand(3).numpy()
    cr.manual_seed(5)
    a = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=1, dropout=0.1).fit(X, y)
    assert np.array_equal(cr.rand(3).numpy(), expected)  # fit did not consume the global stream
    b = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=1, dropout=0.1).fit(X, y)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=2, dropout=0.1).fit(X, y)
    assert a.loss_curve_ != c.loss_curve_


def test_partial_fit_continues(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    losses = []
    for _ in range(30):
        clf.partial_fit(X, y, classes=[0, 1, 2])
        losses.append(clf.loss_)
    assert clf.n_iter_ == 30 and losses[-1] < losses[0] / 2
    with pytest.raises(ValueError, match="X has 2 features, but MLPClassifier is expecting 4"):
        clf.partial_fit(X[:, :2], y)
    reg = MLPRegressor(random_state=0)
    reg.partial_fit(X, X[:, 0])
    reg.partial_fit(X, X[:, 0])
    assert reg.n_iter_ == 2


def test_regressor_unscaled_and_multi_output_targets():
    X, y = make_regression(n_samples=300, n_features=5, n_targets=2, noise=1.0, random_state=0)
    y = y * 1000 + 5000  # far from unit scale: the targets are standardised inside
    reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=300, random_state=0).fit(X, y)
    assert reg.predict(X).shape == (300, 2) and reg.score(X, y) > 0.95
    one = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=300, random_state=0).fit(X, y[:, 0])
    assert one.predict(X).shape == (300,) and one.score(X, y[:, 0]) > 0.95


def test_early_stopping_and_convergence_warning(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.05, early_stopping=True, n_iter_no_change=3,
                        max_iter=500, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500 and "early stopping" in clf.history_.stop_reason
    with pytest.warns(ConvergenceWarning, match="max_iter=2 reached"):
        MLPClassifier(max_iter=2, random_state=0).fit(X, y)


@pytest.mark.parametrize("params,match", [
    ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes=.* a tuple of positive ints"),
    ({"activation": "swish"}, "activation='swish' is invalid; expected one of relu, tanh"),
    ({"solver": "lbfgs"}, "solver='lbfgs' is invalid; expected one of sgd, adam"),
    ({"learning_rate_init": 0}, "learning_rate_init=0 is invalid; expected a positive number"),
    ({"batch_size": 0}, "batch_size=0 is invalid"),
    ({"max_iter": 0}, "max_iter=0 is invalid; expected an int >= 1"),
])
def test_bad_hyperparameters_are_named(iris, params, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**params).fit(X, y)


def test_solvers_and_pickle_round_trip(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for solver in ("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta"):
            clf = MLPClassifier(hidden_layer_sizes=(8,), solver=solver, max_iter=5, random_state=0).fit(X, y)
            assert np.isfinite(clf.loss_)
    back = pickle.loads(pickle.dumps(clf))  # scikit-learn's own persistence convention (joblib/pickle)
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


def test_scikit_learns_parameter_names_with_their_meaning():
    """A grid written for sklearn.neural_network.MLPClassifier runs on chainrule's unchanged."""
    from sklearn.neural_network import MLPClassifier as SkMLP

    ours = set(MLPClassifier().get_params())
    theirs = set(SkMLP().get_params()) - {"learning_rate", "power_t", "max_fun", "warm_start"}
    assert theirs <= ours, theirs - ours
    grid = {"hidden_layer_sizes": [(8,), (8, 8)], "alpha": [1e-4], "learning_rate_init": [1e-2], "batch_size": [16],
            "max_iter": [3], "activation": ["identity", "logistic", "tanh", "relu"]}
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (SkMLP(random_state=0), MLPClassifier(random_state=0)):
            search = GridSearchCV(est, grid, cv=2).fit(X, y)
            assert len(search.cv_results_["params"]) == 8
    clf = MLPClassifier(hidden_layer_sizes=(8,), alpha=0.5, batch_size=10, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    decay = [(g["weight_decay"], [tuple(p.shape) for p in g["params"]]) for g in clf.optimizer_.param_groups]
    # scikit-learn's L2 term (alpha/2)·‖W‖²/batch on the weight matrices only: gradient alpha·W/batch
    assert decay == [(0.05, [(8, 4), (3, 8)]), (0.0, [(8,), (3,)])]
