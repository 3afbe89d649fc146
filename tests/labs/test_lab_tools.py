"""The labs' machinery, fast: Stat and the verdict rule, the seed loop (here and through the sweep executor's
interface), the registry, the CLI, the report and docs writers, and the errata page's commands."""

import json
import re
from pathlib import Path

import pytest

import chainrule as cr
from chainrule import labs
from chainrule.labs import _seeds, slides
from chainrule.labs._common import LabContext
from chainrule.labs._stats import Stat, combine, compare, paired, sign_verdict

ROOT = Path(__file__).resolve().parents[2]


def test_stat_mean_spread_and_undefined_seeds():
    s = Stat.of([1.0, 2.0, None, float("nan"), 3.0])
    assert s.values == (1.0, 2.0, None, None, 3.0) and s.n == 3
    assert s.mean == 2.0 and s.sd == pytest.approx(1.0) and (s.lo, s.hi) == (1.0, 3.0)
    assert s.pm(2) == "2.0 ± 1.0" and Stat.of([0.5, 0.7]).pm(pct=True) == "60.0% ± 14.1%"
    assert Stat.of([]).pm() == "n/a" and Stat.of([4.0]).sd == 0.0
    assert s.to_json() == {"mean": 2.0, "sd": pytest.approx(1.0), "n": 3, "values": [1.0, 2.0, None, None, 3.0]}


def test_verdicts_read_the_interval():
    assert sign_verdict(Stat.of([1.0, 1.2, 0.9])) == "supported"
    assert sign_verdict(Stat.of([-1.0, -1.2])) == "contradicted"
    assert sign_verdict(Stat.of([0.5, -0.4, 0.1])) == "unresolved"  # the spread covers zero
    assert sign_verdict(Stat.of([-1.0, -1.2]), expect=-1) == "supported"
    assert compare(Stat.of([0.33, 0.34, 0.335]), 1 / 3) == "supported"
    assert compare(Stat.of([0.7, 0.8]), 6.0) == "contradicted"
    assert paired([3, None, 5], [1, 2, 2]).values == (2.0, None, 3.0)
    assert combine(["supported", "supported"]) == "supported"
    assert combine(["supported", "unresolved"]) == "partly supported"
    assert combine(["contradicted", "unresolved"]) == "contradicted" and combine(["unresolved"]) == "unresolved"


@_seeds.trial
def _toy_trial(config):
    """A trial as the labs write them: seeded from the config, float32 inside."""
    rng = _seeds.seeded(config)
    return {"x": float(cr.randn(3).sum().item()), "y": float(rng.random()), "dtype": str(cr.get_default_dtype()),
            "arm": config["arm"]}


def test_map_seeds_here_is_deterministic_and_leaves_the_caller_alone():
    cr.manual_seed(123)
    before = cr.randn(2).numpy()
    cr.manual_seed(123)
    cr.set_default_dtype(cr.float64)
    try:
        out = _seeds.map_seeds(_toy_trial, [{"arm": "a"}, {"arm": "b"}], seeds=[0, 1])
        assert cr.get_default_dtype() == cr.float64  # restored
    finally:
        cr.set_default_dtype(cr.float32)
    assert (cr.randn(2).numpy() == before).all()  # the caller's random stream is where it was
    assert [[r["arm"] for r in row] for row in out] == [["a", "a"], ["b", "b"]]
    assert out[0][0]["x"] == out[1][0]["x"] != out[0][1]["x"]  # same seed, same draws, whatever the arm
    assert out[0][0]["dtype"] == "chainrule.float32"
    assert out == _seeds.map_seeds(_toy_trial, [{"arm": "a"}, {"arm": "b"}], seeds=[0, 1])


def test_map_seeds_on_worker_processes_gives_the_same_numbers():
    """The full mode's seeds run on the sweep executor (chainrule.sweeps): local worker processes give exactly
    the numbers this process gives."""
    from chainrule.labs import go_deeper
    from chainrule.sweeps.executors import ProcessExecutor

    here = _seeds.map_seeds(go_deeper.one_seed, [{}], seeds=[0, 1])
    with ProcessExecutor(1) as ex:
        there = _seeds.map_seeds(go_deeper.one_seed, [{}], seeds=[0, 1], executor=ex)
    assert here == there and here[0][0] != here[0][1]


def test_context_modes_seeds_and_claims(tmp_path):
    ctx = LabContext("x", tmp_path, seed=2, mode="live")
    assert ctx.seeds == [2, 3, 4] and LabContext("x", tmp_path, mode="full").seeds == [0, 1, 2, 3, 4]
    assert LabContext("x", tmp_path, mode="quick").mode == "live"  # the old name
    assert LabContext("x", tmp_path, seeds=7).seeds == list(range(7))
    with pytest.raises(ValueError, match="mode must be one of"):
        LabContext("x", tmp_path, mode="slow")
    with pytest.raises(ValueError, match="seeds must be a positive integer"):
        LabContext("x", tmp_path, seeds=0)
    with pytest.raises(ValueError, match="verdict must be one of"):
        ctx.claim("xor", textbook="t", measured="m", verdict="maybe")
    with pytest.raises(KeyError, match="no slide"):
        ctx.claim("nope", textbook="t", measured="m", verdict="supported")
    ctx.claim("xor", textbook="t", measured="m ± s", verdict="supported", stats={"a": Stat.of([1.0, 2.0])})
    assert ctx.claims[0]["slide"]["source"] and ctx.claims[0]["stats"]["a"]["values"] == [1.0, 2.0]


def test_every_lab_is_registered_with_a_module_and_quotes_its_slides():
    assert len(labs.names()) == len(set(labs.names())) == 27
    for lab in labs.LABS:
        assert callable(lab.run), lab.name
        assert all(k in slides.SLIDES for k in lab.slides) and lab.claim
    used = {k for lab in labs.LABS for k in lab.slides}
    assert used == set(slides.SLIDES)  # every lecture claim has a lab (and so a row in docs/labs.md)
    for s in slides.SLIDES.values():
        assert s.source in (slides.QUOTED, slides.DESCRIBED, slides.LAB, slides.DOC, slides.TOPIC)


def test_cli(capsys, tmp_path):
    from chainrule.cli import main

    assert main(["lab", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in labs.names())
    with pytest.raises(SystemExit, match="unknown lab 'nope'"):
        main(["lab", "nope"])
    with pytest.raises(SystemExit, match="--seed must be a non-negative integer"):
        main(["lab", "xor", "--seed", "-1"])
    with pytest.raises(SystemExit, match="--seeds must be at least 1"):
        main(["lab", "xor", "--seeds", "0"])
    with pytest.raises(SystemExit, match="--docs goes with 'all'"):
        main(["lab", "xor", "--docs", str(tmp_path)])
    assert main(["lab", "go-deeper", "--out", str(tmp_path), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "[supported]" in out and "3 seeds" in out
    saved = json.loads((tmp_path / "go-deeper" / "numbers.json").read_text())
    assert saved["seeds"] == [3, 4, 5] and saved["claims"][0]["key"] == "go-deeper"


def test_help_documents_the_live_and_full_modes(capsys):
    from chainrule.cli import main

    with pytest.raises(SystemExit):
        main(["lab", "--help"])
    text = capsys.readouterr().out
    assert "--live" in text and "--full" in text and "10 s" in text and "2 minutes" in text


def test_report_and_docs_carry_every_claim(tmp_path):
    from chainrule.labs.report import write_docs, write_report

    results = [labs.run(name, out=tmp_path / "r", echo=None) for name in ("go-deeper", "backprop-by-hand")]
    html = write_report(results, tmp_path / "r").read_text()
    assert html.count("data:image/png;base64,") == sum(len(r.figures) for r in results)
    assert "Verdict" in html and "src=\"http" not in html
    (tmp_path / "docs" / "labs").mkdir(parents=True)
    stale = tmp_path / "docs" / "labs" / "go-deeper_old.png"
    stale.write_bytes(b"x")
    page = write_docs(results, tmp_path / "docs" / "labs").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| [")]
    assert len(rows) == sum(len(r.claims) for r in results)  # one table row per claim
    assert all(row.count(" | ") == 4 for row in rows)  # five cells: pipes inside the text are escaped
    assert not stale.exists()
    claims = json.loads((tmp_path / "docs" / "labs" / "claims.json").read_text())
    assert claims["go-deeper"]["seeds"] == [0, 1, 2]


def test_the_committed_docs_cover_every_lab_and_claim():
    page = (ROOT / "docs" / "labs.md").read_text()
    claims = json.loads((ROOT / "docs" / "labs" / "claims.json").read_text())
    assert set(claims) == set(labs.names())
    for lab in labs.LABS:
        assert f'<a id="{lab.name}"></a>' in page
        assert {c["key"] for c in claims[lab.name]["claims"]} == set(lab.slides), lab.name
        assert len(claims[lab.name]["seeds"]) >= 5  # the docs come from the full mode
    for img in re.findall(r"\]\((labs/[^)]+\.png)\)", page):
        assert (ROOT / "docs" / img).exists(), img


def test_errata_page_commands_exist():
    """Every lab the errata page names is a lab, and every explain command in it runs."""
    from chainrule.cli import main

    page = (ROOT / "docs" / "slide-errata.md").read_text()
    names = set(re.findall(r"`chainrule lab ([a-z-]+)`", page))
    assert names and names <= set(labs.names())
    commands = re.findall(r"`chainrule explain ([^`]+)`", page)
    assert len(commands) >= 5
    import shlex

    for cmd in commands:
        assert main(["explain", *shlex.split(cmd)]) == 0, cmd



def test_notebook_view_leaves_matplotlib_alone():
    """A result shows itself in Jupyter (figures inline, mean ± spread, verdicts) and has a short repr; running a
    lab and rendering it changes neither matplotlib's backend nor its rcParams (the caller's own settings stay)."""
    import matplotlib

    with matplotlib.rc_context({"font.size": 13.5, "axes.grid": False, "lines.linewidth": 2.5}):
        backend, before = matplotlib.get_backend(), dict(matplotlib.rcParams)
        r = labs.run("go-deeper", save=False, seeds=2, echo=None)
        page = r._repr_html_()
        assert matplotlib.get_backend() == backend and dict(matplotlib.rcParams) == before
    assert page.count("data:image/png;base64,") == len(r.figures) >= 1
    assert "±" in page and "Verdict: supported" in page and r.conclusion.split()[0] in page
    text = repr(r)
    assert len(text) < 200 and "\n" not in text and "go-deeper: supported" in text and "2 seeds" in text
    assert all(set(f) == {"path", "caption"} for f in r.to_json()["figures"])  # no images in numbers.json
