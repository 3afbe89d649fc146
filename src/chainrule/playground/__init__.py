"""The browser playground: TensorFlow Playground's lessons, trained live on chainrule, for one student or a class.

``chainrule playground`` (cli.py) starts ``server.serve``: the ASGI app (server.py) validates what each browser
tab sends (protocol.py) and hands it to the tab's session on a pool of worker processes (pool.py, worker.py),
each sharing its core fairly between its sessions; what goes back waits in a bounded outbox (outbox.py). A
session (session.py, slices.py, training.py) holds one tab's data, network and training; frames.py and warp.py
compute what the page draws, export.py / script.py / replay.py the files it can take away, presets.py the
lectures' experiments. The static single-page front end is in static/.
"""
