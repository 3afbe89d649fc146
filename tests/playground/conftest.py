import json

import pytest

from chainrule.playground.session import Session


class Recorder:
    """A Session driven synchronously (no worker thread): ``send`` runs a message, ``of(type)`` reads replies."""

    def __init__(self, **config):
        self.out = []
        self.s = Session(emit=lambda text: self.out.append(json.loads(text)))
        self.send({"type": "config", "config": config})

    def send(self, msg):
        self.s.handle(msg)
        return self

    def of(self, kind):
        return [m for m in self.out if m["type"] == kind]

    def frame(self):
        self.s._send_frame()
        return self.of("frame")[-1]


@pytest.fixture
def session():
    return Recorder
