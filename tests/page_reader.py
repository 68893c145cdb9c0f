"""A reader of the whole site as production serves it: the WSGI application with the
page cache in front (newsroom/wsgi.py), called as gunicorn calls it."""

from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from newsroom.pagecache import PageCache


class Reader:
    """An anonymous browser talking to the cached WSGI application."""

    def __init__(self):
        self.application = PageCache(WSGIHandler())

    def get(self, path, **headers):
        environ = RequestFactory().get(path, **headers).environ
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = {k.lower(): v for k, v in response_headers}

        body = b"".join(self.application(environ, start_response))
        answer["body"] = body.decode()
        answer["hit"] = answer["headers"].get("x-page-cache") == "hit"
        return answer
