"""HTTP downloads bounded in time and size as a whole, not per read.

A socket timeout alone bounds each read: a server sending one byte every two seconds
keeps such a download alive forever. Here every read of the connection waits at most
for what is left of one deadline shared by the connection, the headers, any redirect
and the body, and the body stops at a size cap. Only name resolution (DNS) is not
bounded by the deadline; the system resolver has its own timeouts.
"""

import functools
import http.client
import io
import ssl
import time
import urllib.request


class DownloadTooLarge(Exception):
    """The file is larger than the cap."""


def download(
    url: str, *, timeout: float, max_bytes: int, headers: dict[str, str]
) -> tuple[bytes, str]:
    """The body and the media type (e.g. "text/xml") of `url`, within `timeout` seconds.

    Raises TimeoutError when the deadline passes, DownloadTooLarge beyond `max_bytes`,
    and urllib's own errors (HTTPError, URLError) otherwise.
    """
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(
        _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline)
    )
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the caller checks it)
    with opener.open(request, timeout=timeout) as response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise DownloadTooLarge
        chunks, size = [], 0
        while chunk := response.read1(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise DownloadTooLarge
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get_content_type()


class _DeadlineReader(io.RawIOBase):
    """A socket's reader whose every read waits only for what is left of the deadline."""

    def __init__(self, sock, deadline: float):
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self):
        return True

    def readinto(self, buffer):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the download deadline has passed")
        self._sock.settimeout(remaining)
        return self._raw.readinto(buffer)

    def close(self):
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """The connection's socket as http.client sees it: its responses read via the deadline."""

    def __init__(self, sock, deadline: float):
        self._socket = sock
        self._deadline = deadline

    def __getattr__(self, name):
        return getattr(self._socket, name)

    def makefile(self, mode="rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self._socket, self._deadline))


def _deadline_connection(base: type[http.client.HTTPConnection], deadline: float):
    class DeadlineConnection(base):
        def connect(self):
            # Connecting (and the TLS handshake) may use what is left, no more.
            self.timeout = max(deadline - time.monotonic(), 0.001)
            super().connect()
            self.sock = _DeadlineSocket(self.sock, deadline)

    return DeadlineConnection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_deadline_connection(http.client.HTTPConnection, self.deadline), req)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the system's certificates takes tens of milliseconds: once per process.
    return ssl.create_default_context()


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float):
        super().__init__(context=_tls_context())
        self.deadline = deadline

    def https_open(self, req):
        connection = _deadline_connection(http.client.HTTPSConnection, self.deadline)
        return self.do_open(connection, req, context=_tls_context())
