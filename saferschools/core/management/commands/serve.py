"""Run the web server and the background task worker together; one Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve with gunicorn and run the task worker beside it (what `make run` starts)."

    def handle(self, *args, **options) -> None:
        python = sys.executable
        host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
        children = {
            "web": subprocess.Popen(  # noqa: S603 - fixed commands, no shell
                [
                    python,
                    "-m",
                    "gunicorn",
                    "-c",
                    "saferschools/gunicorn_conf.py",
                    "saferschools.wsgi:application",
                ]
            ),
            "worker": subprocess.Popen(  # noqa: S603
                [python, "manage.py", "db_worker", "--interval", "1"]
            ),
        }
        self.stdout.write(f"SaferSchools is at http://{host}:{port}/ (Ctrl-C to stop)")
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [name for name, child in children.items() if child.returncode not in (0, -15, -2)]
        if failed and not stopping:
            sys.exit(f"Stopped because the {' and '.join(failed)} process ended unexpectedly.")
