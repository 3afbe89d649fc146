import json

import pytest

from chainrule.playground.session import Session


class Recorder:
    """A Session driven synchronously (no worker thread): ``send`` runs a message, ``of(type)`` reads replies."""

    def __init__(self, **config):
        self.out = []
        # every message goes through JSON as on the wire (NaN would fail: JSON has none)
        self.s = Session(emit=lambda msg: self.out.append(json.loads(json.dumps(msg, allow_nan=False))))
        self.send({"type": "config", "config": config})

    def send(self, msg):
        self.s.handle(msg)
        return self

    def of(self, kind):
        return [m for m in self.out if m["type"] == kind]

    def frame(self):
        self.s._send_frame(panels=True)  # the panels too, however recent the last frame
        return self.of("frame")[-1]


@pytest.fixture
def session():
    return Recorder


@pytest.fixture(autouse=True)
def no_session_thread_outlives_its_test():
    """A closed tab's worker thread may still be finishing an epoch: let it end before the next test, so
    that no test shares the machine (or the default random generator) with a leftover session."""
    yield
    import threading

    for t in threading.enumerate():
        if t.name.startswith("playground-"):
            t.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The playground through its real command, two worker processes; at the end its log must hold no
    traceback (every bad message gets an error reply, never an exception)."""
    from browsing import start_server, stop_server

    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with open(log_path, "w") as log:
        proc, url = start_server("--workers", "2", log=log)
        try:
            yield url
        finally:
            stop_server(proc)
    text = log_path.read_text()
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors: {errors}"
