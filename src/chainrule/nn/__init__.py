"""chainrule.nn: modules, layers, activations, losses, initialisation (torch.nn's names and semantics)."""

from .parameter import Parameter

__all__ = ["Parameter"]
