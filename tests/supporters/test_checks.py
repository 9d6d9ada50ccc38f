"""The system check uadesk.E001: a desk whose erasure would miss a place where supporters' data is kept
does not start (check, migrate and run all stop on it)."""

import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from uadesk.supporters.services import check_holders

DESK_HOLDERS = list(settings.SUPPORTER_DATA_HOLDERS)
ROOT = Path(__file__).resolve().parents[2]


def messages(holders) -> list[str]:
    with override_settings(SUPPORTER_DATA_HOLDERS=holders):
        errors = check_holders()
    assert {error.id for error in errors} <= {"uadesk.E001"}
    return [error.msg for error in errors]


def test_the_desks_own_holders_pass():
    assert messages(DESK_HOLDERS) == []


def test_a_listed_module_that_does_not_exist_is_an_error():
    assert messages([*DESK_HOLDERS, "uadesk.newsletter.services"]) == [
        "The supporter data holder uadesk.newsletter.services cannot be imported: "
        "No module named 'uadesk.newsletter'."
    ]


def test_a_listed_module_without_the_two_functions_is_an_error():
    assert messages([*DESK_HOLDERS, "uadesk.events.services", "tests.supporters.failing_holder"]) == [
        "The supporter data holder uadesk.events.services has no supporter_data() or forget_supporter()."
    ]


def test_an_app_whose_models_point_to_supporters_must_be_listed():
    # The actions app keeps reminders and outcome notices per supporter: left out, erasure would miss them.
    unlisted = [path for path in DESK_HOLDERS if path != "uadesk.actions.services"]
    assert messages(unlisted) == [
        "actions.CaseNewsStop, actions.OutcomeNotice, actions.Reminder point to supporters, but "
        "uadesk.actions.services is not in SUPPORTER_DATA_HOLDERS: erasure would not reach them."
    ]


def test_the_setting_is_required():
    with override_settings():
        del settings.SUPPORTER_DATA_HOLDERS
        errors = check_holders()
    assert [error.id for error in errors] == ["uadesk.E001"]


def test_uadesk_check_fails_on_a_missing_holder(uadesk_bin):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.supporters.check_settings",
        "TEST_SUPPORTER_DATA_HOLDERS": ",".join([*DESK_HOLDERS, "uadesk.newsletter.services"]),
        "PYTHONPATH": str(ROOT),
    }
    checked = subprocess.run(
        [uadesk_bin, "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 1
    assert "(uadesk.E001) The supporter data holder uadesk.newsletter.services cannot be imported" in (
        checked.stderr
    )
    assert "Traceback" not in checked.stderr
