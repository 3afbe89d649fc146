"""chainrule.torch_compat: `import torch` (and its submodules) resolve to chainrule inside the shim only; the
runner (`python -m chainrule.torch_compat`, `chainrule run-torch`) runs a program with PyTorch's random
streams. Each check runs in a fresh interpreter: the test process itself has the real torch imported."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _python(code, *args, cwd=None):
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run([sys.executable, *args, "-c", textwrap.dedent(code)] if code else [sys.executable, *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_install_maps_torch_and_its_submodules_to_chainrules():
    r = _python("""
        from chainrule import torch_compat
        torch_compat.install()
        import torch, torch.nn as nn, torch.nn.functional as F, torch.optim.lr_scheduler, torch.linalg
        from torch.utils.data import DataLoader, TensorDataset
        from torch.utils.data.dataloader import DataLoader as DL2
        import chainrule
        assert torch is chainrule and nn is chainrule.nn and F is chainrule.nn.functional
        assert torch.optim.lr_scheduler is chainrule.optim.lr_scheduler and torch.linalg is chainrule.linalg
        assert DataLoader is DL2 is chainrule.data.DataLoader
        print(torch.float32, torch.zeros(2, 3).shape, torch.zeros(1).type())
        torch_compat.uninstall()
        import sys
        assert "torch" not in sys.modules or sys.modules["torch"] is not chainrule
        print(chainrule.float32)
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["torch.float32 torch.Size([2, 3]) torch.FloatTensor", "chainrule.float32"]


def test_missing_parts_of_torch_and_packages_built_on_it_fail_clearly():
    r = _python("""
        from chainrule import torch_compat
        torch_compat.install()
        for name in ("torch.nn.utils.rnn", "torch.distributed", "torchvision.datasets"):
            try:
                __import__(name)
            except ModuleNotFoundError as err:
                print(err)
    """)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "'torch.nn.utils.rnn'" in lines[0] and "chainrule.nn.utils.rnn" in lines[0]
    assert "does not implement" in lines[0]
    assert "'torch.distributed'" in lines[1]
    assert lines[2].startswith("torchvision needs PyTorch itself")


def test_install_refuses_when_pytorch_is_already_imported():
    r = _python("""
        import torch
        from chainrule import torch_compat
        try:
            torch_compat.install()
        except RuntimeError as err:
            print(err)
    """)
    assert "PyTorch is already imported" in r.stdout, r.stderr


def test_runner_and_cli_run_a_program_with_torchs_random_streams(tmp_path):
    program = tmp_path / "prog.py"
    program.write_text(textwrap.dedent("""
        import sys
        import torch
        import helper  # the program's own folder is on sys.path, as with `python prog.py`
        torch.manual_seed(0)
        print(torch.randn(3), sys.argv[1:], helper.VALUE)
        sys.exit(3)
    """))
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    expected = "tensor([ 1.5410, -0.2934, -2.1788]) ['a', '--b'] 42"  # torch.manual_seed(0); torch.randn(3)
    for args in (["-m", "chainrule.torch_compat"], ["-m", "chainrule", "run-torch"]):
        r = _python(None, *args, str(program), "a", "--b", cwd=tmp_path.parent)
        assert r.stdout.strip() == expected and r.returncode == 3, r.stderr
    r = _python(None, "-m", "chainrule", "run-torch", str(tmp_path / "missing.py"))
    assert r.returncode == 2 and "no such file" in r.stderr
