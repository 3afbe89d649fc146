"""The browser playground: TensorFlow Playground's lessons, trained live on chainrule.

``chainrule playground`` (cli.py) starts ``server.serve``; the wire protocol is in protocol.py, the
per-tab training session in session.py, and the static single-page front end in static/.
"""
