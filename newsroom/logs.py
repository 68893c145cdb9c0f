"""gunicorn's logs as JSON lines on stdout, with the request id.

The application's own log lines (errors with their traceback) are formatted by
settings.LOGGING; these are the server's: its start-up and worker messages, and with
GUNICORN_ACCESS_LOG=on one line per request (otherwise nginx writes the access log).
Both carry `request_id`, the value of the X-Request-ID response header (django-guid
sets it, taking nginx's `$request_id` when the front server sends one).
"""

import json
import logging
from datetime import datetime

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter


class JsonLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        server_format = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(server_format)
        for handler in self.access_log.handlers:
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        status = atoms["s"]
        line = {
            "time": datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o", ""),
            "remote_addr": atoms["h"],
            "forwarded_for": atoms.get("{x-forwarded-for}i", ""),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": int(status) if str(status).isdigit() else status,
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": atoms["a"],
            "referer": atoms["f"],
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))
