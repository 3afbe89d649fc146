"""Training: ``fit``/``evaluate``/``predict``, callbacks, metrics, checkpoints, plots and saved runs.

    from chainrule import nn, optim
    from chainrule.data import datasets
    from chainrule.train import fit, evaluate, EarlyStopping

    split = datasets.load("digits")
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()), split.train, split.val,
                  epochs=30, metrics=["accuracy"], callbacks=[EarlyStopping(patience=5)])
    print(evaluate(model, nn.CrossEntropyLoss(), split.test, metrics=["accuracy"]))

``chainrule train`` (``cli.py``) does the same from flags or a TOML file and saves a run folder that
``load_run(dir)`` reads back.
"""

from .callbacks import Callback, CSVLogger, DivergenceError, EarlyStopping, ModelCheckpoint, NaNGuard, ProgressBar
from .checkpoint import load_checkpoint
from .history import History
from .loop import Trainer, evaluate, fit, predict
from .metrics import (
    MAE,
    R2,
    RMSE,
    Accuracy,
    MeanMetric,
    Metric,
    accuracy,
    confusion_matrix,
    mae,
    r2_score,
    rmse,
)
from .saved import Run, load_run
from .tensorboard import TensorBoard

__all__ = ["fit", "evaluate", "predict", "History", "Trainer", "Callback", "ProgressBar", "EarlyStopping",
           "ModelCheckpoint", "CSVLogger", "TensorBoard", "NaNGuard", "DivergenceError", "load_checkpoint",
           "load_run", "Run",
           "Metric", "Accuracy", "RMSE", "MAE", "R2", "MeanMetric", "accuracy", "confusion_matrix", "r2_score",
           "rmse", "mae"]
