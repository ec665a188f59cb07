"""The web server's access log, without secrets.

gunicorn's access log (see ``gunicorn_conf.py``) records the method, path, status, size and
time of each request, and never the client's address or browser. Some paths carry a secret:
the link that sets a password and an officer's calendar feed address. Those parts of the path
are written as ``[secret]``, so that a copy of the log opens no account and no calendar.
"""

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_PATHS = (
    (re.compile(r"^(/account/set-password/)[^/]+/[^/]+/"), r"\1[secret]/"),
    (re.compile(r"^(/activity/calendar/)[^/]+(\.ics)$"), r"\1[secret]\2"),
)


def redact_path(path: str) -> str:
    """The path as the log may show it."""
    for pattern, replacement in SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


class PrivateAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U") or "")
        # Nothing the format could name that identifies a client or carries a secret.
        for name in ("h", "a", "f", "r", "q", "u"):
            atoms[name] = "-"
        return {key: value for key, value in atoms.items() if not key.startswith("{")}
