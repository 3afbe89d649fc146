"""Layer-level backprop for ``nn`` models (filled in below once chainrule.nn is available)."""
