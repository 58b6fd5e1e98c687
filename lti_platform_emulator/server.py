"""Serving the emulator (or a tool) on loopback from a background thread, for tests."""

import threading
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class RunningServer:
    """A live HTTP server; `url` has no trailing slash."""

    url: str
    port: int
    _server: BaseWSGIServer
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve_in_thread(
    app: Flask, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve `app` with a threaded werkzeug server; port 0 picks a free port."""
    server = make_server(host, port, app, threaded=True)
    # A short poll interval makes stop() quick, which matters with a server per test.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"wsgi-{server.port}",
        daemon=True,
    )
    thread.start()
    return RunningServer(
        url=f"http://{host}:{server.port}",
        port=server.port,
        _server=server,
        _thread=thread,
    )
