"""`uadesk ingest FILE [--json]` end to end: the contract, the draft it makes, one clear line on bad input."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from uadesk.actions.models import Action

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "uadesk" / "ingest" / "demo" / "xinjiang-2022.txt"
SCHEMA = json.loads((ROOT / "uadesk" / "ingest" / "schema" / "urgent-action.schema.json").read_text())
EXPECTED = json.loads((ROOT / "tests" / "ingest" / "corpus" / "xinjiang-2022.expected.json").read_text())


def ingest(uadesk_bin, *args, env=None, stdin=None):
    return subprocess.run(
        [uadesk_bin, "ingest", *map(str, args)], capture_output=True, env=env, input=stdin, timeout=120
    )


def test_json_output_follows_the_contract_and_matches_the_seed(uadesk_bin):
    result = ingest(uadesk_bin, SEED, "--json")
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    for key in ("title", "deadline", "preferred_languages", "previous_ua_urls", "individuals"):
        assert document[key] == EXPECTED[key], key
    assert [(t["role"], t["name"]) for t in document["targets"]] == [
        (t["role"], t["name"]) for t in EXPECTED["targets"]
    ]


def test_text_on_standard_input(uadesk_bin):
    result = ingest(uadesk_bin, "-", "--json", stdin=SEED.read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["deadline"] == "2022-09-23"


def test_the_scorer_rates_the_command_on_the_seed(uadesk_bin, tmp_path):
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "seed.expected.json").write_text(json.dumps(EXPECTED))
    result = subprocess.run(
        [sys.executable, ROOT / "tools" / "score_ingest.py", "--cmd", f"{uadesk_bin} ingest {{file}} --json",
         "--min", "0.98", tmp_path],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    score = float(result.stdout.strip().splitlines()[-1].split()[1])
    assert score >= 0.98


@pytest.mark.django_db
def test_ingest_makes_one_draft_and_says_so_the_second_time():
    out = io.StringIO()
    call_command("ingest", str(SEED), stdout=out)
    action = Action.objects.get()
    assert action.status == "draft"
    assert f"Created draft action #{action.pk}" in out.getvalue()
    assert "target        Primary target: Xi Jinping (1 email, 1 fax, address in zh)" in out.getvalue()
    assert [t.name for t in action.targets.all()] == [
        "Xi Jinping",
        "Ma Xingrui",
        "Erkin Tuniyaz",
        "Zheng Zeguang",
    ]
    xi = action.targets.get(name="Xi Jinping")
    assert xi.native_address_lines == ["北京市西城区西长安街街道 100017"]
    assert xi.fax_list == ["+86 10 6238 1025"] and xi.email_list == ["english@mail.gov.cn"]
    assert xi.salutation == "Dear President Xi Jinping"
    assert action.letters.get().language == "en"
    assert action.preferred_language_codes == ["zh", "en"]
    assert action.deadline.isoformat() == "2022-09-23"
    assert action.previous_ua_url_list == ["https://www.amnesty.org/en/documents/ASA17/4243/2021/en/"]
    assert len(action.ask_list) == len(EXPECTED["asks"])

    out = io.StringIO()
    call_command("ingest", str(SEED), stdout=out)
    assert Action.objects.count() == 1
    assert f"Already held by action #{action.pk}" in out.getvalue()


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    return path


BAD_INPUTS = {
    "empty.txt": lambda p: p.write_bytes(b""),
    "recipe.txt": lambda p: p.write_text("Pancakes\n\nMix flour, eggs and milk. Fry in butter.\n"),
    "latin1.txt": lambda p: p.write_bytes("PRIÈRE D'AGIR: libérez-les, Département".encode("latin-1")),
    "broken.pdf": lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage"),
    "huge.txt": lambda p: (p.touch(), __import__("os").truncate(p, 300 * 1024 * 1024)),
    "bomb.docx": zip_bomb,
    "letter.odt": lambda p: p.write_bytes(b"PK\3\4 not ours"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_line_and_exit_2_and_writes_nothing(uadesk_bin, process_env, tmp_path, name):
    path = tmp_path / name
    BAD_INPUTS[name](path)
    result = ingest(uadesk_bin, path, env=process_env)
    stderr = result.stderr.decode().strip()
    assert result.returncode == 2, stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert "Traceback" not in stderr and stderr.startswith(f"CommandError: {path}: ")
    assert result.stdout == b""
    assert not Action.objects.exists()


def test_a_missing_file_is_one_line_too(uadesk_bin, tmp_path):
    result = ingest(uadesk_bin, tmp_path / "nowhere.pdf", "--json")
    assert result.returncode == 2
    assert len(result.stderr.decode().strip().splitlines()) == 1
