"""The training doctor: per-layer health statistics of a network, and findings in the lectures' terms.

    from chainrule import doctor
    stats = doctor.layer_stats(model, x, y, loss_fn)      # one LayerStats per layer (the playground's panels)
    report = doctor.diagnose(model, loss_fn, (x, y), optimizer)
    print(report)                                         # table + findings, each with a suggested fix

The package: ``stats`` (``layer_stats``; its docstring defines every quantity measured), ``report``
(``diagnose``, ``Report``), ``findings`` (the rules and their fixes), ``lr_range`` (the learning-rate range
test), ``cli`` (``chainrule doctor``, and ``planted``: the lectures' planted problems).
"""

from .cli import DEMOS, planted
from .findings import FIXES, SEVERITIES, Finding, find_problems, format_report
from .lr_range import lr_range_test, plot_lr_range
from .report import Report, diagnose
from .stats import ACTIVATIONS, RELU_FAMILY, LayerStats, layer_stats

__all__ = ["LayerStats", "Report", "Finding", "layer_stats", "diagnose", "lr_range_test", "plot_lr_range",
           "find_problems", "format_report", "planted", "DEMOS", "FIXES", "SEVERITIES", "ACTIVATIONS", "RELU_FAMILY"]
