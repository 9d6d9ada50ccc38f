"""Figures: what the web faces cost a reader of the demo action's page, in each interface language: the
fonts stylesheet and the WOFF2 subsets the page links (bytes), against the baseline of the same faces
whole (the font files the faces come from, as a site that serves them uncut would: the Chinese face's is
the collection of all five CJK faces, which share their outlines); and the time the desk takes to make a
Chinese subset the first time and to serve it from disk after.
--quick (tests/test_bench.py): English and Chinese pages only.
Run: .venv/bin/python -P bench/webfonts.py [--quick]
"""

import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
QUICK = "--quick" in sys.argv
LANGUAGES = ["en", "zh-hans"] if QUICK else ["en", "fr", "de", "ar", "zh-hans", "zh-hant"]
os.environ.pop("DATABASE_URL", None)
os.environ |= {
    "UADESK_DATA_DIR": tempfile.mkdtemp(prefix="uadesk-bench-fonts-"),
    "DJANGO_SETTINGS_MODULE": "uadesk.settings",
    "LOG_LEVEL": "WARNING",
}

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from uadesk import webfonts  # noqa: E402
from uadesk.delivery.printing.engine import font_dir  # noqa: E402
from uadesk.ingest.demo import demo_load  # noqa: E402


def whole_face_bytes(face: str) -> int:
    # Compressing the 33 MB Chinese collection to WOFF2 would take minutes: the file as it is.
    return (font_dir() / webfonts.FACES[face]).stat().st_size


def main() -> None:
    call_command("migrate", verbosity=0)
    action, _ = demo_load()
    client = Client(HTTP_HOST="localhost")
    whole: dict[str, int] = {}
    for language in LANGUAGES:
        html = client.get(f"/{language}/actions/{action.slug}/").content.decode()
        stylesheets = re.findall(r'href="(/fonts/[^"]+\.css)"', html)
        css = b"".join(client.get(path).content for path in stylesheets)
        faces = re.findall(r'url\("(/fonts/[^"]+\.woff2)"\)', css.decode())
        served = sum(len(client.get(path).content) for path in faces)
        needed = webfonts.needed(webfonts._SELECT.sub("", html), language)
        for face in needed:
            whole.setdefault(face, whole_face_bytes(face))
        baseline = sum(whole[face] for face in needed)
        key = language.replace("-", "_")
        print(f"{key}_faces: {','.join(needed) or '-'}")
        print(f"{key}_font_bytes: {len(css) + served}")
        print(f"{key}_whole_faces_bytes: {baseline}")

    # A Chinese subset made the first time (the face read and cut), then served from disk.
    text = "".join(chr(point) for point in range(0x4E00, 0x4E00 + (30 if QUICK else 200)))
    points = webfonts.needed(text)["cjk-sc"]
    start = time.perf_counter()
    made = webfonts.face_subset("cjk-sc", points)
    print(f"subset_first_seconds: {time.perf_counter() - start:.2f}")
    start = time.perf_counter()
    again = webfonts.face_subset("cjk-sc", points)
    print(f"subset_from_disk_seconds: {time.perf_counter() - start:.4f}")
    assert made == again and len(TTFont(io.BytesIO(made)).getBestCmap()) >= len(points)
    print(f"subset_characters: {len(points)}")
    print(f"subset_bytes: {len(made)}")


if __name__ == "__main__":
    main()
