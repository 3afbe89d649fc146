"""The built wheel, as a new user meets it: installed into a fresh virtual environment with only the core
dependency (NumPy), `chainrule --help` works and `chainrule train` either trains or says in one line which
extra to install; the wheel ships py.typed and LICENSE, and mypy --strict sees its types."""

import os
import pathlib
import shutil
import subprocess
import sys
import venv
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)


def _install(tmp):
    """(the fresh environment's bin folder, the wheel's path); the wheel is built from a copy of the tree."""
    src = tmp / "src-copy"
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    r = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp / "dist"),
              str(src)])
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp / "dist").glob("chainrule-*.whl")
    env_dir = tmp / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    # the test environment's pip installs into the fresh one: the wheel and its one dependency, NumPy
    r = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--disable-pip-version-check",
              str(wheel)])
    assert r.returncode == 0, r.stdout + r.stderr
    return env_dir / "bin", wheel


def _ships_types_license_and_the_playground(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "chainrule/py.typed" in names
    assert any(n.endswith("/licenses/LICENSE") or n.endswith("/LICENSE") for n in names)
    assert any(n.startswith("chainrule/playground/static/") for n in names)


def _has_numpy_only(bin_dir):
    r = _run([str(bin_dir / "python"), "-c", "import importlib.util as u; print([m for m in ('sklearn', "
              "'matplotlib', 'tqdm', 'starlette', 'torch') if u.find_spec(m)])"])
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


def _cli_works(bin_dir, tmp_path):
    exe = str(bin_dir / "chainrule")
    r = _run([exe, "--help"], cwd=tmp_path)
    assert r.returncode == 0 and "train" in r.stdout and "playground" in r.stdout, r.stderr
    r = _run([exe, "--version"], cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("chainrule ")
    r = _run([exe, "train", "--epochs", "1"], cwd=tmp_path)  # digits ships with scikit-learn: one line, exit 1
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "pip install 'chainrule[sklearn]'" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    r = _run([exe, "train", "--dataset", "spiral", "--epochs", "1"], cwd=tmp_path)  # no extra needed
    assert r.returncode == 0 and "test:" in r.stdout and "Traceback" not in r.stderr, r.stdout + r.stderr
    for argv in (["doctor", "--demo", "healthy"], ["playground", "--no-browser"], ["lab", "xor", "--quick"]):
        r = _run([exe, *argv], cwd=tmp_path)
        assert "Traceback" not in r.stderr, (argv, r.stderr)
        assert r.returncode == 0 or (r.returncode == 1 and "pip install 'chainrule[" in r.stderr), (argv, r.stderr)


def _mypy_sees_the_types(bin_dir, tmp_path):
    r = _run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "--python-executable",
              str(bin_dir / "python"), str(ROOT / "tests" / "typing" / "user_train.py")], cwd=tmp_path,
             env={k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")})
    assert r.returncode == 0 and "Success" in r.stdout, r.stdout + r.stderr


def test_the_wheel_in_a_fresh_environment(tmp_path):
    """One test (the wheel is built once, and xdist keeps it on one worker)."""
    pytest.importorskip("mypy")
    bin_dir, wheel = _install(tmp_path)
    _ships_types_license_and_the_playground(wheel)
    _has_numpy_only(bin_dir)
    _cli_works(bin_dir, tmp_path)
    _mypy_sees_the_types(bin_dir, tmp_path)
