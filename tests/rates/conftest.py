"""A throwaway NBKR stand-in on 127.0.0.1, so import tests never touch the internet."""

import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "nbkr"
DAILY = FIXTURES / "daily-2026-07-03.xml"
WEEKLY = FIXTURES / "weekly-2013-12-14.xml"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/xml"
    stall_before_headers: float = 0.0
    stall_before_body: float = 0.0


class FeedServer:
    """Serves `routes[path]`; the stalls hold the answer back to provoke client timeouts."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                server.release.wait(route.stall_before_headers)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.flush()
                server.release.wait(route.stall_before_body)
                self.wfile.write(route.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def serve(self, path: str, body: bytes = b"", **kwargs) -> str:
        self.routes[path] = Route(body, **kwargs)
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.thread.start()
    yield server
    server.release.set()
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def daily_bytes() -> bytes:
    return DAILY.read_bytes()


@pytest.fixture
def weekly_bytes() -> bytes:
    return WEEKLY.read_bytes()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on a local port where nothing listens: the connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/daily.xml"
