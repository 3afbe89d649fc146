"""chainrule.playground.show(): the playground served by the kernel and embedded as an iframe; one server per
kernel; it stops with the kernel."""

import os
import subprocess
import sys
import urllib.request

import pytest

from extras import require

require("uvicorn")
require("starlette")

import chainrule.playground as playground  # noqa: E402

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src")


def test_show_serves_and_embeds_the_playground():
    try:
        shown = playground.show("dataset=spiral")
        assert shown.url.startswith("http://127.0.0.1:") and shown.url.endswith("/#dataset=spiral")
        page = shown._repr_html_()
        assert page.startswith('<iframe src="http://127.0.0.1:') and 'height="760"' in page
        base = shown.url.split("#")[0]
        with urllib.request.urlopen(base, timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
        assert playground.show().url == base  # the same server, not a second one
    finally:
        playground.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(base, timeout=5)


def test_the_server_ends_with_the_kernel():
    code = ("import chainrule.playground as p, urllib.request; u = p.show().url; "
            "print(urllib.request.urlopen(u, timeout=10).status)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=SRC))
    assert r.returncode == 0 and r.stdout.strip() == "200", r.stderr
