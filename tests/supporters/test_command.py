"""`uadesk supporters show|erase EMAIL`: a supporter's data as JSON, erasure, one clear line on bad input."""

import json
import subprocess

import pytest

from uadesk.staff.models import AuditEntry
from uadesk.supporters.models import Erasure, Supporter

pytestmark = pytest.mark.django_db(transaction=True)


def supporters(uadesk_bin, env, *args):
    return subprocess.run(
        [uadesk_bin, "supporters", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_show_prints_everything_held_as_json(uadesk_bin, process_env):
    supporter = Supporter.for_email("Ana.Silva@gmail.com", language="fr")
    result = supporters(uadesk_bin, process_env, "show", "anasilva+x@GMAIL.com")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["supporter"]["email"] == "Ana.Silva@gmail.com"
    assert data["supporter"]["language"] == "fr"
    assert data["supporter"]["first_seen"].startswith(f"{supporter.created_at:%Y-%m-%dT%H:%M:%S}")
    # The export is in the audit log, by number: the installed command writes it too.
    assert list(AuditEntry.objects.values_list("code", "via", "actor", "object_id")) == [
        ("uadesk.supporter.exported", "command", "command line", str(supporter.pk))
    ]


def test_erase_erases_them_and_counts_it(uadesk_bin, process_env):
    supporter = Supporter.for_email("ana@example.org")
    Supporter.for_email("ben@example.org")
    result = supporters(uadesk_bin, process_env, "erase", "ANA@example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"erased supporter #{supporter.pk}: their address is gone; their letters and signatures still count,"
        " anonymous"
    )
    assert list(Supporter.objects.values_list("email_hash", flat=True)) == [
        Supporter.find("ben@example.org").email_hash
    ]
    assert list(Erasure.objects.values_list("by", "count")) == [("command", 1)]
    assert list(AuditEntry.objects.values_list("code", "via", "object_id")) == [
        ("uadesk.supporter.erased", "command", str(supporter.pk))
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["erase", "nobody@example.org"],
            "no supporter has the address nobody@example.org; nothing to erase",
        ),
        (["show", "nobody@example.org"], "no supporter has the address nobody@example.org; nothing to show"),
        (["erase", "not-an-address"], "'not-an-address' is not an email address"),
        (["show", ""], "'' is not an email address"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(uadesk_bin, process_env, args, said):
    Supporter.for_email("ana@example.org")
    result = supporters(uadesk_bin, process_env, *args)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"CommandError: {said}"]
    assert result.stdout == ""
    assert Supporter.objects.count() == 1


def test_a_missing_subcommand_is_exit_status_2(uadesk_bin, process_env):
    result = supporters(uadesk_bin, process_env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
