"""What a new user meets when installing: the optional-import helper's one-line errors, the pins, LICENSE and
py.typed in the package."""

import pathlib
import sys

import pytest

import chainrule
from chainrule import _optional as optional

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_missing_package_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now raises ImportError
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(optional.MissingDependency) as err:
        chainrule.data.load("digits")
    msg = str(err.value)
    assert "\n" not in msg
    assert "pip install 'chainrule[sklearn]'" in msg and "scikit-learn" in msg
    assert isinstance(err.value, ImportError)


@pytest.mark.parametrize("module,extra", [("matplotlib", "plot"), ("onnx", "export"), ("optuna", "sweep"),
                                          ("tensorboard", "tensorboard"), ("uvicorn", "playground"),
                                          ("tqdm", "notebook")])
def test_require_names_the_extra(monkeypatch, module, extra):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(optional.MissingDependency, match=rf"pip install 'chainrule\[{extra}\]'"):
        optional.require(module, "this feature")


def test_every_extra_named_by_the_helper_is_in_pyproject():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for top, (extra, package) in optional.EXTRAS.items():
        if extra == "core":
            assert any(d.startswith(package) for d in project["dependencies"]), top
        else:
            assert any(d.split(">")[0].split("=")[0] == package for d in extras[extra]), (top, extra)
    assert set(extras) - {"dev", "cuda", "all"} <= set(extras["all"][0].split("[")[1].rstrip("]").split(","))
    assert any("tomli" in d and "python_version < '3.11'" in d for d in project["dependencies"])
    assert extras["sklearn"] == ["scikit-learn>=1.6"]  # chainrule.sklearn uses validate_data (1.6)


def test_license_and_py_typed_ship():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert (pathlib.Path(chainrule.__file__).parent / "py.typed").exists()


def test_no_optional_import_spells_its_own_install_hint():
    """Every "pip install 'chainrule[...]'" of the library comes from the helper (docstrings aside)."""
    offenders = []
    for path in (ROOT / "src" / "chainrule").rglob("*.py"):
        if path.name == "_optional.py" or "engine" in path.parts:  # the engine imports nothing above it
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if "raise" in line and "pip install" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_readme_install_section_lists_every_extra_and_make_demo_installs_them():
    tomllib = pytest.importorskip("tomllib")
    readme = (ROOT / "README.md").read_text()
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert "pip install chainrule" in install and "pip install 'chainrule[all]'" in install
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]) - {"dev"}
    assert {e for e in extras if f"| `{e}` |" not in install} == set()
    assert '-e ".[all]"' in (ROOT / "Makefile").read_text()  # make demo: what the README's tour uses
