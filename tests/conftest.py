import pytest
from threadpoolctl import threadpool_limits

import chainrule as cr

# The tests train small networks: one BLAS thread is as fast, and far steadier on a shared 2-core
# machine (OpenBLAS threads spin while they wait for a busy core).
_BLAS = threadpool_limits(limits=1, user_api="blas")


def pytest_configure(config):
    """CHAINRULE_TEST_DEVICE=fake: "cuda" is tests/fake_cupy.py's CPU double for the whole run (tests/oracle.py
    runs every op check on it); =cuda: the real GPU, which must be there."""
    import os

    device = os.environ.get("CHAINRULE_TEST_DEVICE", "cpu")
    if device == "fake":
        import fake_cupy

        config._fake_cupy = fake_cupy.installed()  # kept: a collected generator would run its finally
        config._fake_cupy.__enter__()
    elif device == "cuda" and not cr.cuda.is_available():
        raise pytest.UsageError("CHAINRULE_TEST_DEVICE=cuda, but chainrule sees no GPU (is CuPy installed?)")
    elif device not in ("cpu", "cuda", "fake"):
        raise pytest.UsageError(f"CHAINRULE_TEST_DEVICE must be cpu, cuda or fake, got {device!r}")


@pytest.fixture(autouse=True, scope="session")
def _run_store(tmp_path_factory):
    """`chainrule train` records every run in a run store (default runs/runs.db under the working
    directory): the tests' runs go to a throw-away store instead (subprocesses inherit it)."""
    import os

    old = os.environ.get("CHAINRULE_STORE")
    os.environ["CHAINRULE_STORE"] = str(tmp_path_factory.mktemp("store") / "runs.db")
    yield
    if old is None:
        os.environ.pop("CHAINRULE_STORE", None)
    else:
        os.environ["CHAINRULE_STORE"] = old


@pytest.fixture(autouse=True)
def _seed_and_default_dtype():
    """Every test starts from the same seed and the float32 default."""
    cr.manual_seed(0)
    cr.set_default_dtype(cr.float32)
    yield
    cr.set_default_dtype(cr.float32)


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium (.ci/run installs it); Playwright's own download can't run here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test. In CI a missing browser is a failure, not a skip."""
    import os

    if not os.path.exists(CHROMIUM) or not _has_playwright():
        what = f"{CHROMIUM} is missing" if not os.path.exists(CHROMIUM) else "playwright is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{what}: CI needs it for the browser tests (.ci/run installs chromium)")
        pytest.skip(what)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _has_playwright():
    import importlib.util

    return importlib.util.find_spec("playwright") is not None


@pytest.fixture
def torch_streams():
    """chainrule's random numbers follow PyTorch's CPU streams for the test; NumPy's PCG64 after it."""
    cr.use_torch_random_streams(True)
    yield
    cr.use_torch_random_streams(False)
    cr.manual_seed(0)
