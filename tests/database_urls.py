"""A view for tests/test_database.py that writes a row, then meets a cut connection on a later statement."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone

from uadesk.database import rerun_safe
from uadesk.supporters.models import Erasure

# Set by the test: ends the view's connection, once (a second run of the view goes through whole).
CUT = []
RUNS = []


def cut_once() -> None:
    """Cuts the connection (the first time), then runs the statement that finds it gone: a bare cursor,
    left open, as SQLite cannot close a cursor once the lost connection was closed under it."""
    if CUT:
        CUT.pop()()
        connection.cursor().execute("SELECT 1")


def write_then_lose(request):
    """?cut=after-commit: a row is committed, then the connection is lost; ?cut=in-transaction: the
    connection is lost inside the transaction that wrote the row, so that row is rolled back."""
    RUNS.append(request.GET["cut"])
    row = {"day": timezone.localdate(), "by": f"run {len(RUNS)}"}
    with transaction.atomic():
        Erasure.objects.create(**row)
        if request.GET["cut"] == "in-transaction":
            cut_once()
    cut_once()
    return HttpResponse(f"{Erasure.objects.count()} rows")


def write_once_then_lose(request):
    """Writes the row of its key once, whatever the number of runs, then loses its connection (once)."""
    RUNS.append(request.GET["key"])
    Erasure.objects.get_or_create(day=timezone.localdate(), by=request.GET["key"])
    cut_once()
    return HttpResponse(f"{Erasure.objects.count()} rows")


urlpatterns = [
    path("write-then-lose", write_then_lose),
    path("write-once-then-lose", rerun_safe(write_once_then_lose)),
]
