"""Pupils' reports submitted concurrently over HTTP to the production server on PostgreSQL.

Run:  DATABASE_URL=postgres://USER@HOST:5432/postgres \
        .venv/bin/python benchmarks/report_submissions.py [--reports 2000] [--concurrency 16]

It creates a throwaway database on that PostgreSQL server, migrates it, makes one partnership
school, and starts gunicorn with the production settings and configuration (the same
``saferschools/gunicorn_conf.py`` that ``make run`` uses). Then, in the same run and at the same
concurrency, it measures:
  - the trivial endpoint ``GET /healthz`` (the baseline: what the server does with no work),
  - ``POST /api/v1/schools/<urn>/reports``: throughput and p50/p95 latency,
  - ``POST /api/v1/followup`` with every receipt returned, counting the receipts that do not
    find their report (must be 0), and the reports stored against the 201s received.
Ratios are against the baseline. The database is dropped at the end.
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URN = 990001
REPORT = {
    "category": "bullying",
    "description": "Some older pupils keep taking my lunch money on the way home. 😟",
    "location": "journey",
    "occurred": "Most days after school",
    "about": "self",
    "in_danger": False,
    "anonymous": True,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_connection(base: str):
    import psycopg

    connection = psycopg.connect(database_url(base, "postgres"), autocommit=True)
    return connection


def run_load(
    port: int,
    total: int,
    concurrency: int,
    request: Callable[[http.client.HTTPConnection, int], tuple[int, bytes]],
) -> tuple[float, list[float], list[tuple[int, bytes]]]:
    """Send ``total`` requests from ``concurrency`` keep-alive connections; returns the wall
    time, each request's latency (ms) and each (status, body)."""
    latencies: list[float] = []
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            start = time.perf_counter()
            try:
                status, body = request(connection, index)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, body = 0, b""
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                results.append((status, body))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, results


def exchange(
    connection: http.client.HTTPConnection, method: str, path: str, payload: dict | None = None
) -> tuple[int, bytes]:
    body = json.dumps(payload).encode() if payload is not None else None
    headers = {"Content-Type": "application/json"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database on it).")
    name = f"saferschools_bench_{os.getpid()}"
    url = database_url(base, name)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SAFERSCHOOLS_ENV": "production",
        "SAFERSCHOOLS_SECRET_KEY": secrets.token_urlsafe(50),
        "SAFERSCHOOLS_ALLOWED_HOSTS": "127.0.0.1",
        "SAFERSCHOOLS_BASE_URL": "https://saferschools.invalid",
        "SAFERSCHOOLS_SSL_REDIRECT": "false",
        "SAFERSCHOOLS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SAFERSCHOOLS_LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(args.workers),
    }
    with admin_connection(base) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        python = sys.executable
        subprocess.run(  # noqa: S603 - fixed command
            [python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        setup = (
            "from saferschools.core.services import area_create, partnership_create;"
            "from saferschools.core.models import School;"
            "area = area_create(actor=None, name='Benchmark', source='benchmark');"
            f"school = School.objects.create(urn={URN}, name='Benchmark School', area=area);"
            "partnership_create(actor=None, area=area, name='Benchmark SSP', schools=[school],"
            " started_on=None, source='benchmark')"
        )
        subprocess.run(  # noqa: S603 - fixed command
            [python, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True
        )
        server = subprocess.Popen(  # noqa: S603 - fixed command
            [
                python,
                "-m",
                "gunicorn",
                "-c",
                "saferschools/gunicorn_conf.py",
                "--access-logfile",
                "/dev/null",
                "saferschools.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                if exchange(probe, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit("The server did not start.")
            time.sleep(0.2)

        n, c = args.reports, args.concurrency
        print(
            f"{n} requests per measurement, {c} concurrent connections, "
            f"{args.workers} gunicorn workers, PostgreSQL"
        )
        # Warm up both paths so that neither pays for first imports and connections.
        run_load(port, 50, c, lambda conn, i: exchange(conn, "GET", "/healthz"))

        wall, lat, _ = run_load(port, n, c, lambda conn, i: exchange(conn, "GET", "/healthz"))
        base_rate = n / wall
        print(
            f"GET /healthz (baseline)    {base_rate:8.0f} req/s   "
            f"p50 {percentile(lat, 0.5):6.1f} ms   p95 {percentile(lat, 0.95):6.1f} ms"
        )

        path = f"/api/v1/schools/{URN}/reports"
        wall, lat, results = run_load(
            port, n, c, lambda conn, i: exchange(conn, "POST", path, REPORT)
        )
        rate = n / wall
        created = [json.loads(body)["receipt"] for status, body in results if status == 201]
        failed = n - len(created)
        print(
            f"POST reports               {rate:8.0f} req/s   "
            f"p50 {percentile(lat, 0.5):6.1f} ms   p95 {percentile(lat, 0.95):6.1f} ms   "
            f"({rate / base_rate:.2f}x baseline throughput; {failed} not accepted)"
        )

        wall, lat, results = run_load(
            port,
            len(created),
            c,
            lambda conn, i: exchange(conn, "POST", "/api/v1/followup", {"receipt": created[i]}),
        )
        lost = sum(1 for status, _ in results if status != 200)
        print(
            f"POST followup              {len(created) / wall:8.0f} req/s   "
            f"p50 {percentile(lat, 0.5):6.1f} ms   p95 {percentile(lat, 0.95):6.1f} ms"
        )
        count = (
            subprocess.run(  # noqa: S603 - fixed command
                [
                    python,
                    "manage.py",
                    "shell",
                    "-c",
                    "from saferschools.reporting.models import Report; print(Report.objects.count())",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        print(f"receipts that cannot be followed up: {lost} (must be 0)")
        print(
            f"reports stored: {count}; receipts returned: {len(created)}; "
            f"distinct receipts: {len(set(created))}"
        )
        if lost or int(count) != len(created) or len(set(created)) != len(created):
            sys.exit(1)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        with admin_connection(base) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
