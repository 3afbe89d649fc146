"""The playground inside a notebook: ``chainrule.playground.show()`` serves it from this kernel and embeds it.

    import chainrule.playground
    chainrule.playground.show()                      # the playground in the cell's output (an iframe)
    chainrule.playground.show("#dataset=spiral")     # a setup, as the playground's URLs write it

The server runs on a daemon thread of the kernel, one per kernel (a second ``show()`` reuses it), and stops
with the kernel (or with ``chainrule.playground.stop()``). Needs the extra ``playground``.
"""

from __future__ import annotations

import atexit
import html
import threading
import time

from .. import _optional as optional

__all__ = ["show", "stop", "Embedded"]

_running: dict = {}  # "server", "thread", "url" of this kernel's playground
_lock = threading.Lock()


class Embedded:
    """What ``show()`` returns: displayed by Jupyter as an iframe on the playground (``url`` to open it
    elsewhere)."""

    def __init__(self, url: str, width: str | int = "100%", height: int = 760):
        self.url, self.width, self.height = url, width, height

    def _repr_html_(self) -> str:
        return (f'<iframe src="{html.escape(self.url)}" width="{html.escape(str(self.width))}" '
                f'height="{int(self.height)}" style="border:1px solid #ddd" '
                f'title="chainrule playground"></iframe>')

    def __repr__(self) -> str:
        return f"chainrule playground at {self.url}"


def _start(host: str, port: int) -> str:
    for module in ("starlette", "uvicorn", "websockets"):
        optional.require(module, "chainrule.playground.show()")
    from .server import make_server

    server, sock, url = make_server(host, port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="chainrule-playground",
                              daemon=True)  # daemon: it ends with the kernel
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the playground server did not start on {url}")
        time.sleep(0.02)
    _running.update(server=server, thread=thread, url=url)
    return url


def show(setup: str = "", *, width: str | int = "100%", height: int = 760, host: str = "127.0.0.1",
         port: int = 0) -> Embedded:
    """Serve the playground from this kernel (once) and return it embedded, for the cell's output.

    ``setup``: a playground URL fragment such as ``"#dataset=spiral&seed=3"``. ``port`` 0 picks a free one."""
    with _lock:
        url = _running["url"] if _running.get("thread") and _running["thread"].is_alive() else _start(host, port)
    if setup and not setup.startswith("#"):
        setup = "#" + setup
    return Embedded(url + setup, width, height)


def stop(timeout: float = 10.0) -> None:
    """Stop this kernel's playground server (``show()`` starts a new one)."""
    with _lock:
        server, thread = _running.pop("server", None), _running.pop("thread", None)
        _running.clear()
    if server is not None:
        server.should_exit = True
        thread.join(timeout)


atexit.register(stop, 2.0)
