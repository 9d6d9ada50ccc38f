"""Retention: supporters who did nothing for SUPPORTER_RETENTION_MONTHS are erased daily; counts stay."""

import datetime

import pytest

from tests.conftest import at
from uadesk.schedule import SCHEDULE
from uadesk.supporters.models import Erasure, Supporter
from uadesk.supporters.tasks import forget_inactive_supporters

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(holder):
    """Signed on 1 March 2024; Carl acted again on 1 June 2025."""
    with at(datetime.date(2024, 3, 1)):
        ana, ben, carl = (Supporter.for_email(f"{name}@example.org") for name in ("ana", "ben", "carl"))
        for supporter in (ana, ben, carl):
            holder.sign(supporter, petition="Free Ilham Tohti", name=supporter.email)
    with at(datetime.date(2025, 6, 1)):
        carl.touch()
    return ana, ben, carl


def test_inactive_supporters_are_erased_and_their_signatures_still_count(three, holder, settings):
    settings.SUPPORTER_RETENTION_MONTHS = 24
    ana, ben, carl = three
    with at(datetime.date(2026, 2, 28)):
        assert forget_inactive_supporters.call() == 0  # not yet 24 months
    with at(datetime.date(2026, 3, 2)):
        assert forget_inactive_supporters.call() == 2
        assert forget_inactive_supporters.call() == 0  # safe to run twice
    assert list(Supporter.objects.values_list("pk", flat=True)) == [carl.pk]
    assert holder.count("Free Ilham Tohti") == 3
    assert sorted(s["name"] for s in holder.SIGNATURES) == ["", "", "carl@example.org"]
    assert list(Erasure.objects.values_list("day", "by", "count")) == [
        (datetime.date(2026, 3, 2), "retention", 2)
    ]


def test_the_months_are_a_setting_and_zero_keeps_everyone(three, settings):
    settings.SUPPORTER_RETENTION_MONTHS = 0
    with at(datetime.date(2040, 1, 1)):
        assert forget_inactive_supporters.call() == 0
    settings.SUPPORTER_RETENTION_MONTHS = 6
    with at(datetime.date(2025, 12, 2)):
        assert forget_inactive_supporters.call() == 3


def test_one_failing_erasure_does_not_stop_the_others(three, holder, settings, monkeypatch, caplog):
    from tests.supporters import failing_holder

    ana, ben, carl = three
    settings.SUPPORTER_DATA_HOLDERS = ["tests.supporters.holder", "tests.supporters.failing_holder"]
    monkeypatch.setattr(failing_holder, "FAIL_FOR", {ana.pk})
    with at(datetime.date(2026, 3, 2)):
        assert forget_inactive_supporters.call() == 1
    assert set(Supporter.objects.values_list("pk", flat=True)) == {ana.pk, carl.pk}
    assert f"supporter #{ana.pk} could not be erased; tried again on the next run" in caplog.text


def test_the_scheduler_runs_it_daily():
    assert (forget_inactive_supporters, 24 * 3600) in SCHEDULE
