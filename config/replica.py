"""Reads on a PostgreSQL streaming replica, when DATABASE_REPLICA_URL names one (settings.py).

django-multidb-router pins a thread to the primary and carries the pin between requests in a
cookie; this module decides when. A read goes to the replica only if nothing pins it:

- a client that wrote in the last MULTIDB_PINNING_SECONDS (the cookie), any request but GET/HEAD,
  the admin (staff edit there and read what they just saved), a request that has written so far;
- an open transaction on the primary (its own writes are not on the replica yet);
- the records read right after they are written by their nature: sessions, users and their
  accounts, login attempts, the cache's counts, export jobs and previewed imports;
- a replica more than DATABASE_REPLICA_MAX_LAG_SECONDS behind the primary, or not answering
  (measured at most every DATABASE_REPLICA_CHECK_SECONDS per process, see ``replica_usable``).

The pin outlasts the lag allowed plus the time between two measures, so once a writer's pin ends
the replica holds their write. A page that fails on the replica mid-request is answered again
from the primary (``PinningMiddleware.process_exception``).
"""

import logging
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from multidb import PinningReplicaRouter
from multidb.middleware import READ_ONLY_METHODS, PinningRouterMiddleware
from multidb.pinning import pin_this_thread, this_thread_is_pinned, unpin_this_thread

logger = logging.getLogger(__name__)

REPLICA_DB_ALIAS = "replica"

# Read where they are written: each is read again within a request or two of its write (a
# session at every request, a download count, a job's progress), by key, and is small.
PRIMARY_APPS = frozenset(
    {"sessions", "auth", "admin", "axes", "django_cache", "django_tasks_database"}
)
PRIMARY_MODELS = frozenset(
    {
        "movement.exportjob",
        "movement.pendingimport",
        "movement.staffprofile",
        "movement.temporarypassword",
        "movement.failedpassword",
    }
)

# The replica's lag as last measured in this process: (monotonic time measured, usable).
_health_lock = threading.Lock()
_health: dict[str, float | bool] = {"measured_at": -math.inf, "usable": False}
# Per thread: whether the current request has read from the replica, or written.
_request = threading.local()


def reads_on_primary(model: type[Model]) -> bool:
    """Whether ``model`` is read on the primary whatever the replica's state."""
    return model._meta.app_label in PRIMARY_APPS or model._meta.label_lower in PRIMARY_MODELS


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary; None if it does not answer or is no replica.

    Zero when it has replayed all the primary had written a moment ago (its WAL position), else
    the age of the last transaction it replayed: a primary idle for an hour and then written to
    counts as an hour behind until the replica catches up, which errs towards the primary.
    """
    replica = connections[REPLICA_DB_ALIAS]
    try:
        if replica.vendor != "postgresql":
            # A test mirror of the primary's database: behind by nothing, if it answers.
            with replica.cursor() as cursor:
                cursor.execute("SELECT 1")
            return 0.0
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (primary_position,) = cursor.fetchone()
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                [primary_position],
            )
            in_recovery, caught_up, age = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("The replica does not answer (%s); reading from the primary", error)
        return None
    if not in_recovery:
        # Promoted, or pointed at a server that is no replica: it no longer follows the primary.
        logger.warning("DATABASE_REPLICA_URL is not in recovery; reading from the primary")
        return None
    if caught_up:
        return 0.0
    return math.inf if age is None else max(float(age), 0.0)


def replica_usable(*, force: bool = False) -> bool:
    """Whether reads may go to the replica: measured at most every DATABASE_REPLICA_CHECK_SECONDS
    in this process (one tiny query on each database), unless ``force``."""
    now = time.monotonic()
    if not force and now - _health["measured_at"] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return bool(_health["usable"])
    with _health_lock:
        # Another thread may have measured while this one waited for the lock.
        if (
            not force
            and time.monotonic() - _health["measured_at"] < settings.DATABASE_REPLICA_CHECK_SECONDS
        ):
            return bool(_health["usable"])
        lag = replica_lag()
        usable = lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
        if lag is not None and not usable:
            logger.warning("The replica is %.1f s behind; reading from the primary", lag)
        _health.update(measured_at=time.monotonic(), usable=usable)
    return usable


def forget_replica_health() -> None:
    """Measure the replica again at the next read (tests, and after a failure)."""
    _health.update(measured_at=-math.inf, usable=False)


def replica_caught_up(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the replica to hold everything the primary has
    committed by now; whether it does. For work that starts after a write elsewhere (an export
    queued right after an edit) and may then read the replica."""
    deadline = time.monotonic() + timeout
    while True:
        if replica_lag() == 0.0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def replica_routed() -> bool:
    """Whether reads may go to a replica at all (DATABASE_REPLICA_URL set: the router installed)."""
    return any(isinstance(each, ReplicaRouter) for each in router.routers)


@contextmanager
def fresh_replica_reads() -> Iterator[str]:
    """Within it, this thread reads the replica if it holds every write committed before it
    began (waiting up to DATABASE_REPLICA_MAX_LAG_SECONDS), else the primary; yields the alias.
    Without a replica configured, or inside a transaction (whose writes it cannot hold), the
    primary."""
    pinned = this_thread_is_pinned()
    if (
        replica_routed()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and replica_caught_up(settings.DATABASE_REPLICA_MAX_LAG_SECONDS)
    ):
        unpin_this_thread()
        alias = REPLICA_DB_ALIAS
    else:
        pin_this_thread()
        alias = DEFAULT_DB_ALIAS
    try:
        yield alias
    finally:
        (pin_this_thread if pinned else unpin_this_thread)()


class ReplicaRouter(PinningReplicaRouter):
    """Writes to the primary; reads to the replica unless pinned or unsafe (module docstring)."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        if (
            this_thread_is_pinned()
            or reads_on_primary(model)
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
            or not replica_usable()
        ):
            return DEFAULT_DB_ALIAS
        _request.read_replica = True
        return REPLICA_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        # What this thread reads next must see the write: pinned until the request ends, and
        # the cookie carries the pin on. Records read on the primary anyway need no pin.
        if not reads_on_primary(model):
            pin_this_thread()
            _request.wrote = True
        return DEFAULT_DB_ALIAS


class PinningMiddleware(PinningRouterMiddleware):
    """Pins a request to the primary (module docstring), sets the cookie after a write, and
    answers again from the primary a read that failed on the replica."""

    def process_request(self, request: HttpRequest) -> None:
        _request.read_replica = False
        _request.wrote = False
        super().process_request(request)
        if request.path.startswith(reverse("admin:index")):
            pin_this_thread()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(_request, "wrote", False):
            response._db_write = True
        return super().process_response(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if (
            not isinstance(exception, DatabaseError)
            or request.method not in READ_ONLY_METHODS
            or not getattr(_request, "read_replica", False)
            or replica_usable(force=True)
        ):
            return None
        # The replica failed under this read-only request: the same view again, on the primary.
        logger.warning("A read failed on the replica; answered from the primary", exc_info=True)
        pin_this_thread()
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response
