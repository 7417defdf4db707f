"""A giftflow server process for ``test_processes``: the app with a ``RedisBus``.

Run as ``python server_process.py DATABASE_URL REDIS_URL PREFIX``. It serves
``create_app`` with uvicorn on a free loopback port, its events on Redis under the key
prefix ``PREFIX``, prints ``listening PORT`` once it accepts connections, and stops
(server, bus, economy) on a line on stdin or its end. (Run by path: pytest's importlib
mode would not find a sibling module, and a real process is the point.)
"""

from __future__ import annotations

import socket
import sys
import threading
import time

import uvicorn
from pydantic import SecretStr

from giftflow.server import create_app
from giftflow.service.economy import Economy
from giftflow.service.events.redis import RedisBus
from giftflow.settings import Settings

TOKEN_SECRET = "events-test-token-secret-0123456789abcdef"
START_TIMEOUT_S = 20


def main(database_url: str, redis_url: str, prefix: str) -> None:
    settings = Settings(
        database_url=database_url, token_secret=SecretStr(TOKEN_SECRET), redis_url=redis_url
    )
    bus = RedisBus(redis_url, prefix=prefix)
    with Economy.open(settings) as economy:
        app = create_app(economy, settings, bus)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, ws="websockets-sansio", log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        print(f"listening {listener.getsockname()[1]}", flush=True)
        sys.stdin.readline()
        server.should_exit = True
        thread.join()
        bus.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
