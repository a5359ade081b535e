"""Public pages while anonymous visitors download exports: a real server under real load.

The app runs in gunicorn (sync workers, as README's "Deploying" starts it) on the throwaway
database, in a process of its own. ``exports`` threads each download a public export in full
at once, while one visitor reads the public pages one after another, and each page's time is
taken from request to last byte. Before the downloads start the same visitor reads the pages
on the idle server, which gives the figure to compare against.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from movement.models import Campaign

# What a visitor reads: the home page, the lists, a campaign's page, a year.
PAGES = ["/", "/awards/", "/campaigns/", "/awards/?year=2017", "/years/2017/"]


@dataclass
class Latencies:
    """Seconds each page took, request to last byte, and the answers' status codes."""

    seconds: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int) -> None:
        self.seconds.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def summary(self) -> dict:
        ordered = sorted(self.seconds)
        if not ordered:
            return {"requests": 0}
        return {
            "requests": len(ordered),
            "median_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(0, round(len(ordered) * 0.95) - 1)] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str) -> str:
    """DATABASE_URL for the throwaway database ``name``, for the server process."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 600) -> int:
    """GET ``url`` and read the whole answer; its status code."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            while response.read(1 << 16):
                pass
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def timed(url: str, latencies: Latencies, headers: dict[str, str] | None = None) -> None:
    started = time.perf_counter()
    status = fetch(url, headers)
    latencies.add(time.perf_counter() - started, status)


@dataclass
class Server:
    """gunicorn serving the project on the throwaway database."""

    name: str
    workers: int
    threads: int
    behind_proxy: bool
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "DATABASE_URL": database_url(self.name),
            # Addresses from X-Forwarded-For, so that the visitors can come from many.
            "DJANGO_BEHIND_PROXY": "1" if self.behind_proxy else "0",
        }
        self.process = subprocess.Popen(  # noqa: S603
            [
                *[sys.executable, "-m", "gunicorn", "config.wsgi"],
                *["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)],
                *["--threads", str(self.threads)],
                *["--timeout", "300", "--log-level", "warning"],
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if fetch(f"{self.base}/", timeout=5) == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within a minute")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def pages() -> list[str]:
    campaign = Campaign.objects.filter(start_year=2017).order_by("pk").first()
    return [*PAGES, *([campaign.get_absolute_url()] if campaign else [])]


def read_pages(base: str, urls: list[str], until: threading.Event | None, rounds: int) -> Latencies:
    """One visitor reading ``urls`` in turn: ``rounds`` times, or until ``until`` is set."""
    latencies = Latencies()
    done = 0
    while (until is None and done < rounds) or (until is not None and not until.is_set()):
        for url in urls:
            timed(base + url, latencies)
        done += 1
    return latencies


def run(
    name: str,
    *,
    exports: int,
    export_url: str,
    workers: int,
    threads: int,
    addresses: int,
    idle_rounds: int,
) -> dict:
    """Pages idle, then pages while ``exports`` downloads of ``export_url`` run at once."""
    urls = pages()
    with Server(name, workers, threads, behind_proxy=addresses > 1) as server:
        # Every page once, so that no worker's first request is counted.
        read_pages(server.base, urls, None, workers)
        idle = read_pages(server.base, urls, None, idle_rounds)
        downloads = Latencies()
        finished = threading.Event()
        reader = ThreadPoolExecutor(1)
        under_load = reader.submit(read_pages, server.base, urls, finished, 0)
        started = time.perf_counter()
        with ThreadPoolExecutor(exports) as pool:
            for number in range(exports):
                # Visitors from ``addresses`` different addresses, in turn.
                headers = {"X-Forwarded-For": f"10.0.{number % addresses}.1"}
                pool.submit(timed, server.base + export_url, downloads, headers)
        finished.set()
        loaded = under_load.result()
        reader.shutdown()
        wall = time.perf_counter() - started
    return {
        "workers": workers,
        "threads": threads,
        "exports": exports,
        "export_url": export_url,
        "addresses": addresses,
        "exports_wall_s": round(wall, 1),
        "export_requests": downloads.summary(),
        "pages_idle": idle.summary(),
        "pages_under_load": loaded.summary(),
    }
