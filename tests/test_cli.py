"""The `chainrule` command as a whole: one exit-code convention (0 ok, 2 usage error, 1 failure) with errors on
stderr, --version, quiet on a closed pipe, ASCII where the output cannot encode a character."""

import os
import subprocess
import sys

import pytest

import chainrule
from chainrule.cli import main

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def _env(**extra):
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONIOENCODING", None)
    return {**env, **extra}


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"chainrule {chainrule.__version__}"


USAGE_MISTAKES = [
    (["train", "--lr", "-1"], "chainrule train: error: "),
    (["train", "--dataset", "nope"], "chainrule train: error: "),
    (["evaluate", "--run", "{tmp}/missing"], "chainrule evaluate: error: "),
    (["predict", "--run", "{tmp}/missing", "--input", "x.csv"], "chainrule predict: error: "),
    (["export", "--run", "{tmp}/missing", "--onnx", "{tmp}/m.onnx"], "chainrule export: error: "),
    (["doctor", "--run", "{tmp}/missing"], "chainrule doctor: error: "),
    (["lab", "nope"], "chainrule lab: error: "),
    (["explain", "x +", "--at", "x=1"], "chainrule explain: error: "),
    (["sweep"], "chainrule sweep: error: "),
    (["runs", "ls", "--store", "{tmp}/missing.db"], "chainrule runs ls: error: "),
    (["playground", "--port", "70000"], "chainrule playground: error: "),
]


@pytest.mark.parametrize("argv,prefix", USAGE_MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_usage_mistake_exits_2_with_one_message_on_stderr(argv, prefix, tmp_path, capsys):
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith(prefix), (code, err)
    assert out == "" and "Traceback" not in err


def test_argparse_mistakes_exit_2_too(capsys):
    for argv in (["train", "--epochs", "many"], ["nosuchcommand"], ["train", "--no-such-flag"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
        assert "error:" in capsys.readouterr().err


def test_a_missing_optional_package_is_a_failure_in_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert main(["train", "--epochs", "1", "--out", "/nonexistent-never-written"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("chainrule train: error: ") and "chainrule[sklearn]" in err


def test_a_closed_pipe_ends_quietly_with_exit_0(tmp_path):
    """`chainrule train | head -1`: the reader leaves after one line; no BrokenPipeError, exit 0."""
    cmd = [sys.executable, "-m", "chainrule", "train", "--dataset", "xor", "--epochs", "30", "--hidden", "4",
           "--out", str(tmp_path), "--store", str(tmp_path / "runs.db")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=tmp_path)
    first = p.stdout.readline()
    p.stdout.close()  # as head does
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0, err
    assert first.startswith(b"data:") and "Traceback" not in err and "BrokenPipe" not in err


def test_output_that_cannot_encode_falls_back_to_ascii(tmp_path):
    """An ASCII-only stdout: `train` prints 'MLP 2 -> 4 -> 1' instead of crashing on the arrow."""
    cmd = [sys.executable, "-m", "chainrule", "train", "--dataset", "xor", "--epochs", "1", "--hidden", "4",
           "--out", str(tmp_path), "--store", str(tmp_path / "runs.db")]
    r = subprocess.run(cmd, capture_output=True, env=_env(PYTHONIOENCODING="ascii"), cwd=tmp_path, timeout=120)
    out = r.stdout.decode("ascii")  # every byte is ASCII
    assert r.returncode == 0, r.stderr.decode()
    assert " -> " in out and "model: MLP" in out
    r = subprocess.run([sys.executable, "-m", "chainrule", "explain", "f = x * y", "--at", "x=-2", "y=3"],
                       capture_output=True, env=_env(PYTHONIOENCODING="ascii"), timeout=120)
    assert r.returncode == 0 and "df/dx = y = 3" in r.stdout.decode("ascii")


def test_train_draws_a_tqdm_bar_on_a_terminals_stderr(tmp_path):
    """stderr on a terminal (a pseudo-terminal here): tqdm's bar with its rate; stdout keeps the epoch lines."""
    pty = pytest.importorskip("pty")
    pytest.importorskip("tqdm")
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    cmd = [sys.executable, "-m", "chainrule", "train", "--dataset", "xor", "--epochs", "3", "--hidden", "4",
           "--out", str(tmp_path / "run"), "--store", str(tmp_path / "runs.db")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=_env(), cwd=tmp_path)
    os.close(slave)
    out, _ = p.communicate(timeout=120)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child has closed its end
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    assert p.returncode == 0, err.decode(errors="replace")
    assert b"training:" in err and b"batch/s" in err and b"epoch" in err
    assert out.decode().count("epoch ") == 3
