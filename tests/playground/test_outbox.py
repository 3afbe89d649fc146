"""A tab's outbox stays bounded whatever the tab does: the newest state replaces an older one waiting, config
updates merge, errors are capped (and the next one says how many were dropped), exports are capped (B5)."""

import asyncio
import concurrent.futures
import json

from chainrule.playground.outbox import MAX_ERRORS, MAX_FILES, Outbox


def msg(kind, **kw):
    return kind, json.dumps({"type": kind, **kw})


def run(coro):
    """asyncio.run on a thread of its own: Playwright's sync API (the browser tests, in the same pytest worker)
    keeps an event loop running on the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def drain(box):
    async def go():
        out = []
        while len(box):
            out.append(json.loads(await box.get()))
        return out
    return run(go())


def test_states_replace_older_ones_and_config_merges():
    box = Outbox()
    for i in range(1000):
        box.put(*msg("frame", frame=i, big="x" * 1000))
        box.put(*msg("status", playing=bool(i % 2)))
        box.put(*msg("data", n=i))
    box.put(*msg("config", config={"seed": 1}))
    box.put(*msg("network", sizes=[2, 1]))
    box.put(*msg("config", config={"dataset": "custom"}))
    out = drain(box)
    assert [m["type"] for m in out] == ["frame", "status", "data", "network", "config"]
    assert out[0]["frame"] == 999 and out[2]["n"] == 999
    assert out[-1]["config"] == {"seed": 1, "dataset": "custom"}


def test_errors_and_files_are_capped():
    box = Outbox()
    for i in range(10_000):
        box.put(*msg("error", message=f"bad {i}", field=None))
        box.put(*msg("file", name=f"f{i}", base64="AAAA" * 100))
    assert len(box) == MAX_ERRORS + MAX_FILES and box.nbytes() < 50_000
    out = drain(box)
    errors = [m for m in out if m["type"] == "error"]
    assert errors[0]["dropped"] == 10_000 - MAX_ERRORS and "dropped" not in errors[1]
    assert [m["name"] for m in out if m["type"] == "file"] == ["f9997", "f9998", "f9999"]


def test_a_closed_outbox_ends_its_reader():
    async def go():
        box = Outbox()
        reader = asyncio.ensure_future(box.get())
        await asyncio.sleep(0)
        box.close()
        return await reader
    assert run(go()) is None
