"""The browser playground: TensorFlow Playground's lessons, trained live on chainrule.

``chainrule playground`` (cli.py) starts ``server.serve``; the wire protocol is in protocol.py, the
per-tab training session in session.py, and the static single-page front end in static/.
"""


def show(*args, **kwargs):
    """The playground in a notebook cell (served by this kernel): see ``chainrule.playground.notebook.show``."""
    from .notebook import show as _show

    return _show(*args, **kwargs)


def stop():
    """Stop the playground that ``show()`` started."""
    from .notebook import stop as _stop

    _stop()
