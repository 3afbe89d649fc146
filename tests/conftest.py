import pytest

import chainrule as cr


@pytest.fixture(autouse=True)
def _seed_and_default_dtype():
    """Every test starts from the same seed and the float32 default."""
    cr.manual_seed(0)
    cr.set_default_dtype(cr.float32)
    yield
    cr.set_default_dtype(cr.float32)
