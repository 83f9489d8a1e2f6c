"""What the fake trackers share: a quiet threaded HTTP server on loopback that lives as long as its fake."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


class JsonHandler(BaseHTTPRequestHandler):
    """Keep-alive, unlogged; `self.server.fake` is the fake being served."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def send(self, status: int, data: bytes, headers: dict, *, content_type: str | None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class LoopbackFake:
    """start() serves the fake with its `handler` on host:port (0 picks a free port); stop() ends it."""

    handler: type[JsonHandler]
    host: str
    port: int
    _server: _Server | None = None
    _thread: threading.Thread | None = None

    def start(self):
        self._server = _Server((self.host, self.port), self.handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=type(self).__name__.lower(), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"
