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
    # Seconds between single bytes: of the whole answer (headers too) or of the body only.
    trickle_answer: float = 0.0
    trickle_body: float = 0.0
    # A Content-Length that lies (e.g. claims 50 MB); None sends the body's own length.
    content_length: int | None = None
    # Bytes sent after the body without any Content-Length, until the client hangs up.
    endless: bool = False


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
                if route.trickle_answer:
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n"
                    self.trickle(head + route.body, route.trickle_answer)
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.endless:
                    self.send_header("Connection", "close")
                else:
                    length = route.content_length
                    self.send_header("Content-Length", str(length or len(route.body)))
                self.end_headers()
                self.wfile.flush()
                server.release.wait(route.stall_before_body)
                if route.trickle_body:
                    self.trickle(route.body, route.trickle_body)
                    return
                self.wfile.write(route.body)
                while route.endless and not server.release.is_set():
                    self.wfile.write(b"<Currency>" * 6400)

            def handle(self):
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            def trickle(self, data, seconds):
                for byte in data:
                    if server.release.wait(seconds):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

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
