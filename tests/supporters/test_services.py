"""Erasure and export across apps: each holder app's part, all or nothing; a holder missing is an error."""

import datetime
import re

import pytest

from uadesk.supporters import services
from uadesk.supporters.models import Erasure, Supporter

pytestmark = pytest.mark.django_db


def test_export_holds_the_supporter_and_each_holders_part(ana):
    data = services.export(ana)
    assert data["supporter"]["email"] == "Ana.Silva@example.org"
    assert [s["name"] for s in data["tests.supporters.holder"]["signatures"]] == ["Ana Silva"]


def test_erase_forgets_in_every_holder_then_deletes_the_row_and_counts_it(ana, holder):
    assert services.erase(ana, by="staff:editor") is True
    assert not Supporter.objects.filter(pk=ana.pk).exists()
    assert holder.count("Free Ilham Tohti") == 2  # the signature stays, anonymous
    assert [s["name"] for s in holder.SIGNATURES] == ["", "Ben Okafor"]
    assert list(Erasure.objects.values_list("by", "count")) == [("staff:editor", 1)]
    assert services.erase(ana, by="staff:editor") is False  # already gone: nothing more to count
    assert Erasure.objects.get().count == 1


def test_a_holder_that_fails_leaves_the_supporter_whole(ana, settings):
    settings.SUPPORTER_DATA_HOLDERS = ["tests.supporters.holder", "tests.supporters.failing_holder"]
    with pytest.raises(RuntimeError):
        services.erase(ana, by="supporter")
    assert Supporter.objects.filter(pk=ana.pk).exists()
    assert not Erasure.objects.exists()


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("tests.supporters.not_written_yet", "tests.supporters.not_written_yet cannot be imported"),
        ("tests.supporters", "tests.supporters has no supporter_data() or forget_supporter()"),
        # The module exists but one of its own imports is broken: that shows too.
        ("tests.supporters.broken_holder", "No module named 'tests.supporters.no_such_module'"),
    ],
)
def test_a_holder_missing_stops_erasure_rather_than_being_skipped(ana, holder, settings, path, said):
    settings.SUPPORTER_DATA_HOLDERS = ["tests.supporters.holder", path]
    with pytest.raises(services.HolderMissing, match=re.escape(said)):
        services.holders()
    with pytest.raises(services.HolderMissing):
        services.erase(ana, by="supporter")
    assert Supporter.objects.filter(pk=ana.pk).exists()
    assert "Ana Silva" in {s["name"] for s in holder.SIGNATURES}
    assert not Erasure.objects.exists()


def test_an_apps_holder_is_labelled_by_its_app(settings, monkeypatch):
    from uadesk.supporters import models

    # Any module inside an installed app: here one of ours, given the two functions for the test.
    monkeypatch.setattr(models, "supporter_data", lambda supporter: {}, raising=False)
    monkeypatch.setattr(models, "forget_supporter", lambda supporter: None, raising=False)
    settings.SUPPORTER_DATA_HOLDERS = ["uadesk.supporters.models"]
    [found] = services.holders()
    assert (found.label, found.name) == ("supporters", "Supporters")


def test_months_before():
    moment = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert services.months_before(moment, 1) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
    assert services.months_before(moment, 24) == datetime.datetime(2024, 3, 31, 12, tzinfo=datetime.UTC)
    assert services.months_before(moment, 3) == datetime.datetime(2025, 12, 31, 12, tzinfo=datetime.UTC)


def test_the_reminders_a_supporter_asked_for_are_exported_and_erased(open_action):
    from uadesk.actions.models import Reminder
    from uadesk.supporters.news import reminder_ask

    supporter = reminder_ask(action=open_action, email="dara@example.org").supporter
    reminder_ask(action=open_action, email="eli@example.org")
    [reminder] = services.export(supporter)["actions"]["reminders"]
    assert (reminder["action"], reminder["sent_at"]) == (open_action.title, None)
    assert services.erase(supporter, by="supporter")
    assert [r.supporter.email for r in Reminder.objects.all()] == ["eli@example.org"]
