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


def test_idle_sessions_are_reaped():
    with TestClient(create_app(idle_timeout=0.2, reap_every=0.1)) as c:
        with c.websocket_connect("/ws") as ws:
            receive_until(ws, "hello")
            with pytest.raises(Exception):  # noqa: B017 — the server closes the socket
                for _ in range(100):
                    ws.receive_text()
        assert c.app.state.pool.clients == {}


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
