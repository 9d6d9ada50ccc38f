"""Erasure and export across apps: each holder app's part, all or nothing, and holders not ready skipped."""

import datetime
import logging

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


def test_holders_not_ready_are_skipped_with_a_warning(ana, settings, caplog):
    settings.SUPPORTER_DATA_HOLDERS = [
        "tests.supporters.holder",
        "tests.supporters.not_written_yet",  # no such module
        "tests.supporters",  # a module without the two functions
    ]
    with caplog.at_level(logging.WARNING, logger="uadesk.supporters.services"):
        assert [h.label for h in services.holders()] == ["tests.supporters.holder"]
    assert "tests.supporters.not_written_yet does not exist yet" in caplog.text
    assert "tests.supporters lacks supporter_data() or forget_supporter()" in caplog.text
    assert services.erase(ana, by="supporter")


def test_a_holder_with_a_broken_import_is_an_error_not_skipped(settings):
    settings.SUPPORTER_DATA_HOLDERS = ["tests.supporters.broken_holder"]
    with pytest.raises(ModuleNotFoundError):
        services.holders()


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
