"""``python -m chainrule.torch_compat [--numpy-streams] program.py [ARGS]``: run a PyTorch program on chainrule."""

import sys

from .cli import main

sys.exit(main())
