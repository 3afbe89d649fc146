"""Helpers for the browser tests: the playground started through the real command, a page in headless
Chromium (tests/conftest.py's ``browser``), waits on conditions (never on time)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import chainrule


def start_server(*args, log=None):
    """``chainrule playground --no-browser ARGS``; returns (process, url) once it prints its URL, which it does
    when every worker has started. Its log goes to ``log``."""
    here = str(Path(chainrule.__file__).parents[1])  # the server runs the chainrule this process imports
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "playground", "--no-browser", *args], env=env,
                            stdout=subprocess.PIPE, stderr=log or subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://[\d.]+:\d+/(\?token=[\w-]+)?", line)
    assert match, f"no URL printed by `chainrule playground`: {line!r}"
    url = match.group(0)
    return proc, url


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def open_page(page, url, hash_=""):
    if page.url != "about:blank":
        page.goto("about:blank")  # a new hash alone would not load the page again
    page.goto(url + hash_)
    page.wait_for_function("window.playground && window.playground.frame !== null")
    return page


def epoch(page):
    return int(page.inner_text("#epoch-number").replace(",", ""))
