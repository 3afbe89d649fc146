"""The training doctor: per-layer health statistics of a network, and findings in the lectures' terms.

    from chainrule import doctor
    stats = doctor.layer_stats(model, x, y, loss_fn)      # one LayerStats per layer (the playground's panels)
    report = doctor.diagnose(model, loss_fn, (x, y), optimizer)
    print(report)                                         # table + findings, each with a suggested fix

The package: ``stats`` (``layer_stats``; its docstring defines every quantity measured), ``report``
(``diagnose``, ``Report``), ``findings`` (findings and their fixes) with the rules in ``rules``, ``inputs``
(the input features' scale) and ``modes`` (train/eval mode; ``watch_modes`` for your own loop),
``lr_range`` (the learning-rate range test and its verdict), ``cli`` (``chainrule doctor``, and ``planted``:
the lectures' planted problems, each with a healthy twin).
"""

from .cli import DEMOS, planted
from .findings import FIXES, SEVERITIES, Finding, find_problems, format_report
from .lr_range import lr_range_test, plot_lr_range
from .modes import watch_modes
from .report import Report, diagnose
from .stats import ACTIVATIONS, RELU_FAMILY, LayerStats, layer_stats

__all__ = ["LayerStats", "Report", "Finding", "layer_stats", "diagnose", "lr_range_test", "plot_lr_range",
           "watch_modes", "find_problems", "format_report", "planted", "DEMOS", "FIXES", "SEVERITIES", "ACTIVATIONS",
           "RELU_FAMILY"]
