"""Settings come from the environment, and production refuses to start while insecure.

Each test starts a fresh Python process, since settings are read once at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
SETUP = (
    "import django, os; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'saferschools.settings'; "
    "django.setup()"
)
GOOD_SECRET = secrets.token_urlsafe(45)  # 60 characters


def _start(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "DATABASE_URL" and not name.startswith("SAFERSCHOOLS_")
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["SAFERSCHOOLS_DATA_DIR"] = str(tmp_path)
    env.update(variables)
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", SETUP],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_with_defaults_refuses_naming_secret_and_hosts(tmp_path):
    run = _start(tmp_path, SAFERSCHOOLS_ENV="production")

    assert run.returncode != 0
    assert "Refusing to start in production" in run.stderr
    assert "SAFERSCHOOLS_SECRET_KEY" in run.stderr
    assert "SAFERSCHOOLS_ALLOWED_HOSTS" in run.stderr
    # The console e-mail backend would write password links into the log.
    assert "SAFERSCHOOLS_EMAIL_BACKEND" in run.stderr
    assert "SAFERSCHOOLS_BASE_URL" in run.stderr
    assert "SAFERSCHOOLS_DEBUG" not in run.stderr


def test_production_with_debug_or_wildcard_host_refuses_naming_them(tmp_path):
    run = _start(
        tmp_path,
        SAFERSCHOOLS_ENV="production",
        SAFERSCHOOLS_DEBUG="true",
        SAFERSCHOOLS_SECRET_KEY=GOOD_SECRET,
        SAFERSCHOOLS_ALLOWED_HOSTS="*.example",
    )

    assert run.returncode != 0
    assert "SAFERSCHOOLS_DEBUG is on" in run.stderr
    assert "SAFERSCHOOLS_ALLOWED_HOSTS" in run.stderr
    assert "SAFERSCHOOLS_SECRET_KEY" not in run.stderr


def test_production_with_secure_settings_starts(tmp_path):
    run = _start(
        tmp_path,
        SAFERSCHOOLS_ENV="production",
        SAFERSCHOOLS_SECRET_KEY=GOOD_SECRET,
        SAFERSCHOOLS_ALLOWED_HOSTS="schools.example",
        SAFERSCHOOLS_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        SAFERSCHOOLS_BASE_URL="https://schools.example",
    )

    assert run.returncode == 0, run.stderr


def test_unknown_environment_is_refused(tmp_path):
    run = _start(tmp_path, SAFERSCHOOLS_ENV="staging")

    assert run.returncode != 0
    assert "SAFERSCHOOLS_ENV" in run.stderr
    assert "'staging'" in run.stderr


def test_malformed_number_is_refused_naming_the_variable(tmp_path):
    run = _start(tmp_path, SAFERSCHOOLS_LOCKOUT_FAILURES="abc")

    assert run.returncode != 0
    assert "SAFERSCHOOLS_LOCKOUT_FAILURES must be a whole number, not 'abc'" in run.stderr
