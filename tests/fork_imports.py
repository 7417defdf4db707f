"""Run by ``tests/test_layers.py`` (by path, with ``[names, preload]`` as JSON on
stdin): loads the libraries giftflow uses, then imports each module of ``names`` first
and alone in a child forked from this interpreter, which has loaded no module of
giftflow, two children at a time. Prints the modules that failed, with the end of
their tracebacks, as JSON."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import traceback

names, preload = json.load(sys.stdin)
for name in preload:  # what giftflow's modules load from outside it, loaded once here
    with contextlib.suppress(Exception):  # not a module: a name imported from one
        importlib.import_module(name)
assert not any(m == "giftflow" or m.startswith("giftflow.") for m in sys.modules)
failed: dict[str, str] = {}
running: dict[int, tuple[str, int]] = {}


def reap() -> None:
    """Wait for one child; keep its traceback when it failed."""
    pid, status = os.wait()
    name, reader = running.pop(pid)
    with os.fdopen(reader) as pipe:
        error = pipe.read()
    if status:
        failed[name] = error[-300:]


for name in names:
    if len(running) >= 2:
        reap()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        code = 0
        try:
            importlib.import_module(name)
        except BaseException:
            os.write(writer, traceback.format_exc().encode())
            code = 1
        os._exit(code)
    os.close(writer)
    running[pid] = (name, reader)
while running:
    reap()
print(json.dumps(failed))
