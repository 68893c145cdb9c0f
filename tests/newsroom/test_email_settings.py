"""E-mail (the password reset's) is configured by EMAIL_URL, with a development
default that prints mails and a production default that hands them to the host's
own mail server."""

from .test_settings import run_manage

PRINT_EMAIL_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)"
)
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "news.example.kg",
    "DATABASE_URL": "sqlite:///:memory:",
}


def email_settings(**env):
    result = run_manage("shell", "--no-imports", "-c", PRINT_EMAIL_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_development_prints_mails_to_the_console():
    backend, *_ = email_settings(DEBUG="1")
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_through_the_local_mail_server_by_default():
    backend, host, port, tls, sender = email_settings(DEBUG="0", **PRODUCTION)
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (host, port, tls) == ("localhost", "25", "False")
    assert sender == "noreply@localhost"


def test_production_mail_server_and_sender_come_from_the_environment():
    backend, host, port, tls, sender = email_settings(
        DEBUG="0",
        EMAIL_URL="smtp+tls://newsroom:secret@mail.example.kg:587",
        DEFAULT_FROM_EMAIL="noreply@news.example.kg",
        **PRODUCTION,
    )
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (host, port, tls) == ("mail.example.kg", "587", "True")
    assert sender == "noreply@news.example.kg"
