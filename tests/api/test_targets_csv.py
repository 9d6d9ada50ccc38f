"""Targets from CSV, one embassy per row, by the API and by `uadesk api import-targets`: all or none."""

import subprocess

import pytest

from tests.api.helpers import send
from uadesk.actions.models import Target

pytestmark = pytest.mark.django_db

EMBASSIES = (
    "name,native_name,title,honorific,address,native_address,native_language,country,emails,faxes,salutation,role\n"
    "Zheng Zeguang,郑泽光,Ambassador,H.E.,\"Embassy of the People's Republic of China\n49-51 Portland Place\n"
    'London W1B 1JL",,,gb,'
    "press@chinese-embassy.org.uk|info@chinese-embassy.org.uk,+44 20 7636 2981,Your Excellency,\n"
    "Wu Ken,吴恳,Ambassador,H.E.,Botschaft der Volksrepublik China|Märkisches Ufer 54|10179 Berlin,"
    "中华人民共和国驻德国大使馆,zh,DE,de@mfa.gov.cn,,Exzellenz,copy\n"
)


def test_the_api_takes_a_csv_of_embassies(client, make_token, open_action):
    before = open_action.targets.count()
    response = send(
        client, "POST", f"/api/advocacy_campaigns/{open_action.slug}/targets", EMBASSIES.encode(),
        auth=make_token("write"), content_type="text/csv",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    london, berlin = response.json()["_embedded"]["osdi:targets"]
    assert london["address_lines"] == [
        "Embassy of the People's Republic of China",
        "49-51 Portland Place",
        "London W1B 1JL",
    ]
    assert london["emails"] == ["press@chinese-embassy.org.uk", "info@chinese-embassy.org.uk"]
    assert (london["country"], london["role"]) == ("GB", "copy")
    assert berlin["address_lines"][2] == "10179 Berlin" and berlin["native_language"] == "zh"
    assert (london["native_name"], berlin["native_name"]) == ("郑泽光", "吴恳")
    assert open_action.targets.count() == before + 2


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        (EMBASSIES.replace("de@mfa.gov.cn", "de-at-mfa"), "row 3: emails:"),
        (EMBASSIES.replace(",gb,", ",GBR,"), "row 2: country:"),
        (EMBASSIES.replace("Exzellenz,copy", "Exzellenz,boss"), "row 3: role:"),
        ("name,colour\nX,red\n", "row 1: unknown column “colour”"),
        ("title\nAmbassador\n", "row 1: the header needs a name column"),
        ("name,title\n", "no rows under the header"),
        ("name,title\nA,B,C\n", "row 2: 3 cells for 2 columns"),
    ],
)
def test_a_bad_row_stops_the_whole_import(client, make_token, open_action, csv_text, message):
    before = open_action.targets.count()
    response = send(
        client, "POST", f"/api/advocacy_campaigns/{open_action.slug}/targets", csv_text.encode(),
        auth=make_token("write"), content_type="text/csv",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(message)
    assert open_action.targets.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_command_imports_or_says_in_one_line_what_is_wrong(
    uadesk_bin, process_env, open_action, tmp_path
):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(EMBASSIES)
    bad.write_text(EMBASSIES.replace("+44 20 7636 2981", "fax me"))
    before = Target.objects.count()
    failed = subprocess.run(
        [uadesk_bin, "api", "import-targets", open_action.slug, str(bad)],
        env=process_env,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2
    [line] = failed.stderr.strip().splitlines()
    assert "row 2: faxes:" in line and "nothing was imported" in line
    assert Target.objects.count() == before
    done = subprocess.run(
        [uadesk_bin, "api", "import-targets", open_action.slug, str(good)],
        env=process_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "2 targets added" in done.stdout
    assert Target.objects.count() == before + 2
    missing = subprocess.run(
        [uadesk_bin, "api", "import-targets", "no-such-action", str(good)],
        env=process_env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
