"""The public pages a mailing's surge lands on, kept rendered in the shared cache for every web process.

A page is kept per address (language prefix, section, the few query parameters it reads), per local day
(an action opens and closes with the date) and per *generation*: one value in the cache that any saved
change to what those pages show replaces, when its transaction commits, so the next view renders afresh
(`pages_changed`): in this web process at once, in the others within GENERATION_TRUSTED (50 ms). Each
entry also lives at most PAGE_CACHE_SECONDS, which bounds how old the counts on a page can be.

The views say which pages are kept (`shared`); PageCacheMiddleware keeps and serves them. Nothing
personal is kept: a page is served from the cache only to a visitor with no cookie but their CSRF
secret and language (not signed in, not a remembered writer), and the CSRF token and each form's
one-time key, which differ per visitor, are rendered as slots and filled in for each response. The
action page, the list and the home page hold no form that needs a CSRF token (uadesk/security.py,
same_site_form): their readers are given no cookie.
"""

import contextlib
import functools
import hashlib
import secrets
import threading
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test.signals import setting_changed
from django.utils import timezone

from uadesk import webfonts
from uadesk.logs import view_label

GENERATION = "pages:generation"
# What `{% csrf_token %}` renders on a page being kept (see `csrf_slot`), replaced per response.
SLOT = "uadesk-csrf-slot"
# Where a kept form's one-time key goes (`one_time_key`), a new one in each response: two writers given
# the same key would send one letter between them (the desk takes a key sent again as the same form).
KEY_SLOT = "uadesk-key-slot"
# Models whose rows supporters write in a surge (signatures, reminders, who stopped a case's news): a
# change to them must not empty the cache. What a page shows of them (a count) is at most
# PAGE_CACHE_SECONDS old.
SUPPORTERS_ROWS = {
    "actions.reminder",
    "actions.casenewsstop",
    "actions.outcomenotice",
    "petitions.signature",
    "petitions.submission",
    "petitions.signatureexport",
}


def pages_changed(**_) -> None:
    """Every kept page is stale from now: the next view renders afresh."""
    _new_generation()
    # Once more when the transaction commits: a view that read the old rows meanwhile may have kept its
    # page under the generation set just now.
    transaction.on_commit(_new_generation)


def _new_generation() -> str:
    global _read
    generation = secrets.token_hex(8)
    cache.set(GENERATION, generation, None)
    _read = (time.monotonic(), generation)  # this process's next view shows the change
    return generation


def _generation(found: dict) -> str:
    global _read
    if not (generation := found.get(GENERATION)):
        # None yet, or the cache let it go: pages kept before are unknown, so start a new one. add() keeps
        # the first of several web processes' values, which all then read.
        cache.add(GENERATION, secrets.token_hex(8), None)
        generation = cache.get(GENERATION)
    _read = (time.monotonic(), generation)
    return generation


# Each web process trusts the generation it read last for this long (seconds) before reading it again.
# At a surge's rate that spares all but about one read of the shared cache in a hundred, a fifth of a
# kept page's cost (docs/benchmarks.md, "Action page"). A change made in another web process shows here
# at most this much later: less than the page's own p99 under that surge, so no later than a view
# already on its way when staff saved. A change made in this process shows at its next view.
GENERATION_TRUSTED = 0.05
_read: tuple[float, str] | None = None  # (time.monotonic() when read, generation)


def _trusted_generation() -> str:
    read = _read
    if read is not None and time.monotonic() - read[0] < GENERATION_TRUSTED:
        return read[1]
    return _generation(cache.get_many([GENERATION]))


def watch_changes() -> None:
    """Connects `pages_changed` to every model the public pages show (AppConfig.ready)."""
    for label in ("actions", "petitions"):
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label_lower
            if name not in SUPPORTERS_ROWS:
                post_save.connect(pages_changed, sender=model, dispatch_uid=f"pages:{name}")
                post_delete.connect(pages_changed, sender=model, dispatch_uid=f"pages:{name}:deleted")
    m2m_changed.connect(_m2m_changed, dispatch_uid="pages:m2m")
    # Settings change at a restart, when the pages kept live PAGE_CACHE_SECONDS more; a test changes them
    # in the middle of a run (FAX_GATEWAY_DOMAIN, say, decides what a page offers), in this process only
    # and maybe with no database to write the cache to: the pages it keeps are then under other keys.
    setting_changed.connect(_settings_changed, dispatch_uid="pages:settings")


_settings_version = 0


def _settings_changed(**_) -> None:
    global _settings_version
    _settings_version += 1


def _m2m_changed(sender, instance, **_) -> None:
    if instance._meta.app_label in ("actions", "petitions"):
        pages_changed()


def csrf_slot(request) -> dict:
    """Context processor: on a page being kept, `{% csrf_token %}` renders the slot, not this visitor's
    token. It comes after Django's own csrf processor, so its value wins there and only there."""
    return {"csrf_token": SLOT} if getattr(request, "page_kept", False) else {}


def one_time_key(request):
    """A new form key (a UUID): on a page being kept, its slot, filled in for each response."""
    return KEY_SLOT if getattr(request, "page_kept", False) else uuid.uuid4()


def _key(request) -> str | None:
    """The kept page's key for this request, or None when no kept page may answer it: not a GET, a
    visitor with a cookie of their own (a session: maybe staff; a remembered writer), the desk's files.
    The address holds the page's language (its prefix) and section; the date and the settings count too."""
    if request.method not in ("GET", "HEAD") or request.path_info.startswith(_NOT_PAGES):
        return None
    if any(name not in _ANYONES_COOKIES for name in request.COOKIES):
        return None
    address = f"{request.get_full_path()}|{timezone.localdate()}|{_settings_version}"
    return "pages:" + hashlib.sha256(address.encode()).hexdigest()


_NOT_PAGES = ("/static/", "/staff/", "/api/", "/fonts/", "/health/", "/metrics")
# Cookies that say nothing of who the visitor is: their CSRF secret (filled in below) and the language
# they chose, which the page's address already holds.
_ANYONES_COOKIES = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def shared(*, query: tuple[str, ...] = (), bypass=None):
    """Renders the view's GET answers to be kept for every visitor: with slots for the CSRF token and
    form keys, which PageCacheMiddleware keeps and fills in. `query` names the parameters the view reads
    (an address with any other is rendered as usual and not kept, so nobody fills the cache with
    made-up addresses); `bypass(request)` is true when the answer holds something of this visitor's own."""

    def decorate(view):
        @functools.wraps(view)
        def kept(request, *args, **kwargs):
            if (
                request.method not in ("GET", "HEAD")
                or any(name not in query for name in request.GET)
                or request.user.is_authenticated
                or (bypass is not None and bypass(request))
            ):
                return view(request, *args, **kwargs)
            request.page_kept = True
            try:
                response = view(request, *args, **kwargs)
            finally:  # an error page is rendered with the visitor's own token
                request.page_kept = False
            response.slotted = True
            if response.status_code == 200 and not response.streaming and not response.cookies:
                response.keep = True
                if response["Content-Type"].startswith("text/html"):
                    # Its characters read once for the faces they need, not at every view.
                    response.content = webfonts.with_faces(response.content.decode(response.charset))
                    response.faces_linked = True
            return response

        return kept

    return decorate


# Each web process also holds the pages it served last, so that a view of one reads only the generation
# from the shared cache (a few bytes), not the whole page (15 KB to unpickle): half of what a kept page
# cost (docs/benchmarks.md). A held page lasts no longer than its shared copy.
_held: dict[str, tuple] = {}
HELD_MOST = 500


def _kept(key: str) -> tuple[tuple | None, str]:
    """The page kept under this key, if any, and the current generation."""
    held = _held.get(key)
    if held is not None and held[1] > time.time():
        return held, _trusted_generation()
    found = cache.get_many([GENERATION, key])
    entry = found.get(key)
    if entry is not None:
        if len(_held) >= HELD_MOST:
            _held.clear()
        _held[key] = entry
    return entry, _generation(found)


# The keys of pages a thread of this process is rendering afresh for the cache.
_rendering: set[str] = set()
_rendering_lock = threading.Lock()


def _rendering_claimed(key: str) -> bool:
    """True when this thread may render the page for the cache: no other one of the process is."""
    with _rendering_lock:
        if key in _rendering:
            return False
        _rendering.add(key)
        return True


class PageCacheMiddleware:
    """Answers a kept page before the rest of the stack (sessions, locale, CSRF, authentication, the
    URLs), as Django's own FetchFromCacheMiddleware does: a kept page the process holds costs its slots
    filled in and, once in GENERATION_TRUSTED, a read of the generation, which is what lets one core
    serve a surge (docs/benchmarks.md, "Action page"). The page
    is kept here too, on its way out, with the headers the inner middleware gave it: the same for every
    visitor. It stands after SecurityMiddleware (its redirect to HTTPS) and the policies' headers."""

    # Headers of one visitor's answer, not the page's.
    VISITORS = {"content-length", "x-request-id", "set-cookie"}

    def __init__(self, get_response):
        self.get_response = get_response
        # Only its request and response hooks: what reads and sets the visitor's CSRF cookie.
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        lifetime = settings.PAGE_CACHE_SECONDS
        key = _key(request) if lifetime > 0 else None
        generation = None
        if key is not None:
            try:
                entry, generation = _kept(key)
            except DatabaseError:
                # The cache's table and its lost connection (a database restart): the stack below
                # answers on a new one (uadesk/database.py), the page not kept this time.
                return self._rendered(request, None, lifetime, None)
            if entry is not None and entry[0] == generation:
                return self._served(request, entry)
            if not _rendering_claimed(key):
                # Its time is up and another thread of this process is rendering it afresh: rather than
                # each thread rendering it at once (a surge's p99, docs/benchmarks.md), the page it
                # held, unchanged by staff (its generation), a render's time older.
                if (held := _held.get(key)) is not None and held[0] == generation:
                    return self._served(request, held)
                return self._rendered(request, None, lifetime, None)  # kept by the other thread
        try:
            return self._rendered(request, key, lifetime, generation)
        finally:
            if key is not None:
                _rendering.discard(key)

    def _served(self, request, entry: tuple) -> HttpResponse:
        _, _, status, headers, text, view = entry
        request.kept_page_of = view  # for its line in the log
        self.csrf.process_request(request)
        return self._filled(request, HttpResponse(status=status, headers=headers), text)

    def _rendered(self, request, key: str | None, lifetime: int, generation: str | None) -> HttpResponse:
        """The stack's answer, with its slots filled in; kept under `key` when the view says it may be."""
        response = self.get_response(request)
        if not getattr(response, "slotted", False):
            return response
        text = response.content.decode(response.charset)
        if key is not None and getattr(response, "keep", False) and request.method == "GET":
            headers = {k: v for k, v in response.items() if k.lower() not in self.VISITORS}
            view = f"{view_label(request)} (kept)"
            entry = (generation, time.time() + lifetime, response.status_code, headers, text, view)
            with contextlib.suppress(DatabaseError):  # else kept at a next view, on a new connection
                cache.set(key, entry, lifetime)
                _held[key] = entry
        return self._filled(request, response, text)

    def _filled(self, request, response: HttpResponse, text: str) -> HttpResponse:
        """The response with the page's text, this visitor's CSRF token (their cookie's, else a new one
        sent with it) and a new key for each form in their slots."""
        if SLOT in text:
            text = text.replace(SLOT, get_token(request))
        while KEY_SLOT in text:
            text = text.replace(KEY_SLOT, str(uuid.uuid4()), 1)
        response.content = text
        response["Content-Length"] = str(len(response.content))
        return self.csrf.process_response(request, response)
