"""The ASGI app over a real WebSocket (Starlette's TestClient): pages, sessions per socket, error replies,
and the ``chainrule playground`` command line."""

import argparse
import json

import pytest
from starlette.testclient import TestClient

from chainrule.playground import cli
from chainrule.playground.server import create_app


def receive_until(ws, kind, limit=50):
    seen = []
    for _ in range(limit):
        m = json.loads(ws.receive_text())
        seen.append(m["type"])
        if m["type"] == kind:
            return m
    raise AssertionError(f"no {kind!r} message; got {seen}")


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def test_static_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "chainrule playground" in page.text
    for name in ("app.js", "network.js", "charts.js", "colors.js", "style.css"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and len(r.text) > 1000, name
    assert client.get("/static/../server.py").status_code == 404


def test_session_over_websocket_and_bad_messages(client):
    with client.websocket_connect("/ws") as ws:
        hello = receive_until(ws, "hello")
        assert hello["defaults"]["networkShape"] == [4, 2] and hello["limits"]["neurons"] == 16
        assert set(hello["previews"]) >= {"circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"}
        ws.send_text(json.dumps({"type": "config", "config": {"seed": 9}}))
        frame = receive_until(ws, "frame")
        assert frame["epoch"] == 0 and frame["heat"]["n"] == 100
        for bad in ("{nope", json.dumps({"type": "config", "config": {"networkShape": [100]}}),
                    json.dumps({"type": "rm -rf"}), json.dumps({"type": "step", "x": 1})):
            ws.send_text(bad)
            err = receive_until(ws, "error")
            assert err["message"]
        ws.send_bytes(b"\x80\x04binary")
        assert "JSON text" in receive_until(ws, "error")["message"]
        ws.send_text(json.dumps({"type": "ack", "frame": frame["frame"]}))
        ws.send_text(json.dumps({"type": "step"}))
        assert receive_until(ws, "frame")["epoch"] == 1  # the session kept running


def test_tabs_are_isolated(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ida, idb = receive_until(a, "hello")["session"], receive_until(b, "hello")["session"]
        assert ida != idb
        a.send_text(json.dumps({"type": "config", "config": {"networkShape": [3]}}))
        b.send_text(json.dumps({"type": "config", "config": {}}))
        assert receive_until(a, "network")["sizes"] == [2, 3, 1]
        assert receive_until(b, "network")["sizes"] == [2, 4, 2, 1]
        assert len(client.app.state.pool.clients) == 2
    assert client.app.state.pool.clients == {}  # closed sockets end their sessions


def test_idle_sessions_are_reaped_and_nothing_keeps_them():
    """B5: the reaper used to keep a reference to the last session it looked at."""
    import gc
    import weakref

    with TestClient(create_app(idle_timeout=0.2, reap_every=0.1)) as c:
        with c.websocket_connect("/ws") as ws:
            receive_until(ws, "hello")
            (client,) = c.app.state.pool.clients.values()
            gone = weakref.ref(client)
            del client
            with pytest.raises(Exception):  # noqa: B017 — the server closes the socket
                for _ in range(100):
                    ws.receive_text()
        assert c.app.state.pool.clients == {}
        gc.collect()
        assert gone() is None


def test_cli_arguments():
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["playground", "--port", "8123", "--no-browser", "--host", "0.0.0.0"])
    assert (args.port, args.no_browser, args.host, args.func) == (8123, True, "0.0.0.0", cli.run)
    args = parser.parse_args(["playground"])
    assert (args.port, args.no_browser, args.host) == (0, False, "127.0.0.1")
    with pytest.raises(SystemExit, match="--port"):
        cli.run(argparse.Namespace(port=70000, host="127.0.0.1", no_browser=True))


def test_cli_reports_a_taken_port():
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(SystemExit, match="cannot listen on 127.0.0.1.*try another --port"):
            cli.run(argparse.Namespace(port=taken.getsockname()[1], host="127.0.0.1", no_browser=True))
    finally:
        taken.close()


def test_cli_reports_a_bad_host():
    with pytest.raises(SystemExit, match="--host must be an address of this machine"):
        cli.run(argparse.Namespace(port=0, host="999.1.1.1", no_browser=True))


def test_an_access_token_guards_the_page_and_the_socket():
    with TestClient(create_app(token="class-2024-xyz")) as c:
        assert c.get("/").status_code == 403 and "needs its link" in c.get("/?token=nope").text
        assert c.get("/?token=class-2024-xyz").status_code == 200
        with pytest.raises(Exception):  # noqa: B017 — refused before the handshake completes
            with c.websocket_connect("/ws?token=nope") as ws:
                ws.receive_text()
        with c.websocket_connect("/ws?token=class-2024-xyz") as ws:
            assert receive_until(ws, "hello")["defaults"]


def test_cli_token_and_workers(monkeypatch):
    import os

    from chainrule.playground import server

    calls = []
    monkeypatch.setattr(server, "serve", lambda **kw: calls.append(kw))
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    for argv in (["playground"], ["playground", "--host", "0.0.0.0"], ["playground", "--host", "0.0.0.0", "--no-token"],
                 ["playground", "--host", "::1", "--workers", "0"], ["playground", "--token", "my-class-token"]):
        args = parser.parse_args(argv)
        args.func(args)
    local, lan, open_lan, loop6, given = calls
    assert local["token"] is None and local["workers"] == os.cpu_count()
    assert len(lan["token"]) >= 20 and open_lan["token"] is None  # reachable from other machines: a token
    assert loop6["token"] is None and loop6["workers"] == 0 and given["token"] == "my-class-token"
    for bad, words in ((["--token", "short"], "--token must be"), (["--workers", "-1"], "--workers"),
                       (["--max-sessions", "0"], "--max-sessions")):
        args = parser.parse_args(["playground", *bad])
        with pytest.raises(SystemExit, match=words):
            args.func(args)


def test_sessions_spread_over_worker_processes_and_end_with_their_socket():
    import os

    with TestClient(create_app(workers=2)) as c:
        pool = c.app.state.pool
        sockets = [c.websocket_connect("/ws") for _ in range(4)]
        try:
            for ws in sockets:
                ws.__enter__()
                receive_until(ws, "hello")
            stats = c.get("/health?workers=1").json()["workers"]
            assert [w["sessions"] for w in stats] == [2, 2]
            pids = {w["pid"] for w in stats}
            assert len(pids) == 2 and os.getpid() not in pids
            sockets[0].send_text(json.dumps({"type": "step"}))
            assert receive_until(sockets[0], "frame")["epoch"] in (0, 1)
        finally:
            for ws in sockets:
                ws.__exit__(None, None, None)
        for _ in range(100):  # the server closes each session as its socket goes
            if sum(w["sessions"] for w in c.get("/health?workers=1").json()["workers"]) == 0:
                break
        assert pool.clients == {} and all(not lk.sessions for lk in pool.links)


def test_a_worker_that_dies_is_replaced_and_its_tabs_are_told():
    with TestClient(create_app(workers=1)) as c:
        pool = c.app.state.pool
        with c.websocket_connect("/ws") as ws:
            receive_until(ws, "hello")
            old = pool.links[0].process
            old.kill()
            err = receive_until(ws, "error")
            assert "reload the page" in err["message"]
        for _ in range(300):
            stats = c.get("/health?workers=1").json()["workers"]
            if stats[0].get("pid") not in (None, old.pid):
                break
        assert stats[0]["pid"] not in (None, old.pid)
        with c.websocket_connect("/ws") as ws:  # a new tab works on the new worker
            assert receive_until(ws, "hello")["defaults"]
