"""Rate limits per address and per network, shared by every web process; addresses are stored only hashed.

Each process counts in memory and adds its counts to one table (RateCount) at most once a second, in
one statement for all keys, then knows every process's total. A check thus costs no database round
trip, where the cache did ten (Django's database cache reads and writes each count several times,
and its increment is not atomic). The price: within one second, an address may pass its limit by
what the other processes let through in that second, at most (processes - 1) x limit once.
"""

import datetime
import ipaddress
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

log = logging.getLogger(__name__)
FLUSH_SECONDS = 1.0


def client_address(request) -> str:
    """The supporter's address: REMOTE_ADDR, or the one our own proxies put in X-Forwarded-For."""
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if settings.TRUSTED_PROXY_COUNT and len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
        return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def network_of(address: str) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 one: what one household or office usually has."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class Counter:
    """One per web process (module-level `counter`); thread-safe."""

    # Totals known from the table, for the keys seen last: about 10 MB. A key pushed out is counted
    # from nothing again until the next flush tells its total, so an address may gain one more second.
    KNOWN_KEYS = 100_000

    def __init__(self):
        self._lock = threading.Lock()
        self._known: dict[str, int] = {}  # every process's total, as of the last flush
        self._pending: dict[str, list] = {}  # key -> [this process's events since, when the key expires]
        self._next_flush = 0.0
        self._next_purge = 0.0
        self._flushing = False

    def allow(self, key: str, *, limit: int, expires: float) -> bool:
        with self._lock:
            pending = self._pending.get(key)
            if self._known.get(key, 0) + (pending[0] if pending else 0) >= limit:
                return False
            if pending:
                pending[0] += 1
            else:
                self._pending[key] = [1, expires]
            # Never inside a view's transaction: a rollback there would take the counts with it.
            due = not (self._flushing or connection.in_atomic_block) and time.monotonic() >= self._next_flush
            if due:
                self._flushing = True
        if due:
            self.flush()
        return True

    def flush(self) -> None:
        """Adds this process's counts to the table and learns the totals. On a database error the
        counts wait for the next flush, and the checks go on in memory meanwhile."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flushing = True
        now = time.monotonic()
        try:
            totals = _add_counts(pending, purge=now >= self._next_purge) if pending else {}
        except DatabaseError as error:
            log.warning("rate counts not shared this time: %s", error)
            totals = None
        with self._lock:
            if totals is None:
                for key, (n, expires) in pending.items():
                    self._pending.setdefault(key, [0, expires])[0] += n
            else:
                for key, total in totals.items():
                    self._known.pop(key, None)  # to the end: the oldest go first
                    self._known[key] = total
                while len(self._known) > self.KNOWN_KEYS:
                    del self._known[next(iter(self._known))]
                if pending and now >= self._next_purge:
                    self._next_purge = now + 60
            self._next_flush = now + FLUSH_SECONDS
            self._flushing = False


def _add_counts(pending: dict[str, list], *, purge: bool) -> dict[str, int]:
    """One statement for every key, atomic on PostgreSQL and SQLite (3.35+): no count is lost when
    processes add theirs at the same moment. Returns each key's total."""
    from .models import RateCount

    quote = connection.ops.quote_name
    table, key, count = quote(RateCount._meta.db_table), quote("key"), quote("count")
    expires_field = RateCount._meta.get_field("expires")
    params = []
    for name, (n, expires) in pending.items():
        at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
        params += [name, n, expires_field.get_db_prep_save(at, connection)]
    values = ", ".join(["(%s, %s, %s)"] * len(pending))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {count}, {quote('expires')}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count} "
            f"RETURNING {key}, {count}",
            params,
        )
        totals = dict(cursor.fetchall())
    if purge:  # counts of windows that have ended
        RateCount.objects.filter(expires__lt=timezone.now()).delete()
    return totals


counter = Counter()


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Counts one more event for `key` in this window; False once the limit is reached."""
    if limit <= 0:
        return True
    slot = int(time.time() // window)
    hashed = salted_hmac("uadesk.ratelimit", key, algorithm="sha256").hexdigest()[:32]
    return counter.allow(f"rl:{scope}:{hashed}:{slot}", limit=limit, expires=(slot + 1) * window + 60)


def allow_request(request, scope: str, *, per_address: int, per_network: int, window: int = 3600) -> bool:
    """Both the supporter's address and their network must be under their limits."""
    address = client_address(request)
    if not allow(f"{scope}:address", address, limit=per_address, window=window):
        return False
    # Only when there is a limit: working out the network is most of the cost of a check.
    return per_network <= 0 or allow(
        f"{scope}:network", network_of(address), limit=per_network, window=window
    )
