"""The web server's access log keeps no client address, browser or secret part of a path."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from saferschools.access_log import PrivateAccessLogger, redact_path


def test_password_links_and_calendar_feeds_are_redacted():
    assert redact_path("/account/set-password/MjQ/abc-123def/") == "/account/set-password/[secret]/"
    assert redact_path("/activity/calendar/Zm9vYmFy.ics") == "/activity/calendar/[secret].ics"
    assert redact_path("/report/125273/") == "/report/125273/"


def test_a_logged_line_names_no_address_browser_query_or_secret():
    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format",
        '%(h)s %(t)s "%(r)s" "%(m)s %(U)s" %(q)s %(s)s "%(a)s" "%(f)s" %({user-agent}i)s',
    )
    logger = PrivateAccessLogger(config)
    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/activity/calendar/secret-token.ics?x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/activity/calendar/secret-token.ics",
        "QUERY_STRING": "x=1",
        "HTTP_USER_AGENT": "PupilPhone/1.0",
        "HTTP_REFERER": "https://example.org/",
    }
    request = SimpleNamespace(headers=[("USER-AGENT", "PupilPhone/1.0")])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    line = config.access_log_format % logger.atoms_wrapper_class(atoms)
    assert "/activity/calendar/[secret].ics" in line
    for leaked in ("203.0.113.9", "secret-token", "PupilPhone", "example.org", "x=1"):
        assert leaked not in line
