"""Errors: the traceback goes to the log as one JSON line, never to the page."""

import copy
import io
import json
import logging.config

import pytest

STREAM = io.StringIO()


@pytest.fixture
def json_log(settings):
    """The production logging configuration, writing to a buffer instead of stdout."""
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = "ext://tests.newsroom.test_logs.STREAM"
    config["handlers"]["console"]["formatter"] = "json"
    STREAM.seek(0)
    STREAM.truncate()
    logging.config.dictConfig(config)
    yield STREAM
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_an_error_is_a_json_line_with_traceback_and_request_id(client, settings, json_log):
    settings.ROOT_URLCONF = "tests.newsroom.error_urls"
    client.raise_request_exception = False
    response = client.get("/broken/", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Что-то пошло не так" in page
    assert "Traceback" not in page and "printing press" not in page

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1, lines
    error = errors[0]
    assert error["logger"] == "django.request"
    assert error["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: the printing press jammed" in error["traceback"]
    assert error["time"]
