"""Logging helpers for faults that repeat on every request while they last."""

import logging
import threading
import time


class OncePerInterval(logging.Filter):
    """Let one record per logger through every `seconds`, as a one-line warning.

    While Redis or PostgreSQL is down every request fails the same way; the operator
    needs to hear about it once a minute, not a traceback per request. The line
    ends with the cause and how many reports were held back since the last one.
    """

    def __init__(self, seconds: float = 60, level: str | None = None):
        super().__init__()
        self.seconds = seconds
        # An outage the site survives (the cache) is a warning, not an error.
        self.level = logging.getLevelName(level) if level else None
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._held_back: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(record.name)
            if last is not None and now - last < self.seconds:
                self._held_back[record.name] = self._held_back.get(record.name, 0) + 1
                return False
            self._last[record.name] = now
            held_back = self._held_back.pop(record.name, 0)
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            cause = error.__cause__ or error
            message = f"{message}: {type(cause).__name__}: {cause}"
        if held_back:
            message = f"{message} ({held_back} more since the last report)"
        record.msg, record.args = " ".join(message.split()), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if self.level is not None:
            record.levelno, record.levelname = self.level, logging.getLevelName(self.level)
        return True
