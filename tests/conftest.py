import pytest
from threadpoolctl import threadpool_limits

import chainrule as cr

# The tests train small networks: one BLAS thread is as fast, and far steadier on a shared 2-core
# machine (OpenBLAS threads spin while they wait for a busy core).
_BLAS = threadpool_limits(limits=1, user_api="blas")


@pytest.fixture(autouse=True)
def _seed_and_default_dtype():
    """Every test starts from the same seed and the float32 default."""
    cr.manual_seed(0)
    cr.set_default_dtype(cr.float32)
    yield
    cr.set_default_dtype(cr.float32)
