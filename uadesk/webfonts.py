"""The Noto faces a page's scripts need, served by the desk as WOFF2 subsets of that page's own
characters, so that a device without Chinese or Arabic fonts still shows the address to copy.

A page in Latin script alone names no font and downloads none. A page with other letters links one
small stylesheet, /fonts/<token>.css, whose @font-face rules (one per face, `unicode-range` listing
exactly the page's characters of that face) point at /fonts/<token>.woff2: the browser fetches a face
only if the device's own fonts lack those letters. The tokens are signed, so nobody makes the desk
subset characters no page of it holds; a subset is made once (about a second for Chinese) and kept on
disk under DATA_DIR/webfonts, named for its face and characters.
"""

import functools
import hashlib
import io
import re
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

from uadesk.delivery.printing.engine import font_dir

# The family the public stylesheet names after the system fonts (site.css): the served faces.
FAMILY = "uadesk script"
SALT = "uadesk.webfonts"
# Characters every device's fonts have: Latin to Latin Extended-B, and the general punctuation and
# currency signs. Anything else may need a served face.
_SYSTEM = re.compile(r"[\x00-\u024f\u2000-\u20cf]")
# A page names at most this many characters of one face; more (a staff list, say) are left to the
# device's fonts rather than making the desk subset a whole script.
MOST_PER_FACE = 3000

# A menu's options are drawn by the system's own menu, not the page's fonts: the language switch on every
# page names each language in its own script, and would otherwise make every page load four faces.
_SELECT = re.compile(r"<select\b.*?</select>", re.S)

CJK_FILE = "NotoSansCJK-VF.otf.ttc"
# The faces in the order they are asked for a character: the first that has it draws it. The Chinese
# face's index in the collection comes from the page's language (cjk_index).
FACES = {
    "latin": "NotoSans[wght].ttf",
    "arabic": "NotoSansArabic[wght].ttf",
    "hebrew": "NotoSansHebrew[wght].ttf",
    "armenian": "NotoSansArmenian[wght].ttf",
    "georgian": "NotoSansGeorgian[wght].ttf",
    "devanagari": "NotoSansDevanagari[wght].ttf",
    "bengali": "NotoSansBengali[wght].ttf",
    "gurmukhi": "NotoSansGurmukhi[wght].ttf",
    "gujarati": "NotoSansGujarati[wght].ttf",
    "oriya": "NotoSansOriya[wght].ttf",
    "tamil": "NotoSansTamil[wght].ttf",
    "telugu": "NotoSansTelugu[wght].ttf",
    "kannada": "NotoSansKannada[wght].ttf",
    "malayalam": "NotoSansMalayalam[wght].ttf",
    "sinhala": "NotoSansSinhala[wght].ttf",
    "thai": "NotoSansThai[wght].ttf",
    "lao": "NotoSansLao[wght].ttf",
    "khmer": "NotoSansKhmer[wght].ttf",
    "myanmar": "NotoSansMyanmar[wght].ttf",
    "ethiopic": "NotoSansEthiopic[wght].ttf",
    "cjk-jp": CJK_FILE,
    "cjk-kr": CJK_FILE,
    "cjk-sc": CJK_FILE,
    "cjk-tc": CJK_FILE,
    "cjk-hk": CJK_FILE,
}
CJK_INDEX = {"cjk-jp": 0, "cjk-kr": 1, "cjk-sc": 2, "cjk-tc": 3, "cjk-hk": 4}


def cjk_face(language: str) -> str:
    """The Chinese, Japanese or Korean face for a page in this language: its glyph forms."""
    code = (language or "").lower()
    if code.startswith(("zh-hk", "zh-mo", "yue")):
        return "cjk-hk"
    if code.startswith(("zh-hant", "zh-tw")):
        return "cjk-tc"
    return {"ja": "cjk-jp", "ko": "cjk-kr"}.get(code.split("-")[0], "cjk-sc")


def _open(face: str, *, lazy: bool) -> TTFont:
    return TTFont(font_dir() / FACES[face], fontNumber=CJK_INDEX.get(face, -1), lazy=lazy)


@functools.cache
def _cmap(face: str) -> frozenset[int]:
    if not (font_dir() / FACES[face]).exists():
        return frozenset()
    with _open(face, lazy=True) as font:
        return frozenset(font.getBestCmap())


def needed(text: str, language: str = "") -> dict[str, list[int]]:
    """The faces this text needs beyond the system's, each with the code points it draws, e.g.
    {"cjk-sc": [0x4e2d, 0x56fd]}; {} for text in Latin script alone."""
    other = set(_SYSTEM.sub("", text))
    if not other:
        return {}
    cjk = cjk_face(language)
    faces = [face for face in FACES if not face.startswith("cjk-") or face == cjk]
    found: dict[str, list[int]] = {}
    for point in sorted(map(ord, other)):
        face = next((f for f in faces if point in _cmap(f)), None)
        if face is not None:
            found.setdefault(face, []).append(point)
    return {face: points for face, points in found.items() if len(points) <= MOST_PER_FACE}


def _token(value) -> str:
    return signing.dumps(value, salt=SALT, compress=True)


def stylesheet_path(text: str, language: str = "") -> str | None:
    """The path of the stylesheet with the faces this text needs, or None if it needs none."""
    faces = needed(text, language)
    return f"/fonts/{_token(sorted(faces.items()))}.css" if faces else None


def _unsigned(token: str):
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Http404("no such font") from None


def _ranges(points: list[int]) -> str:
    return ",".join(f"U+{point:X}" for point in points)


def _cached(response: HttpResponse) -> HttpResponse:
    # The address names its content (signed face and characters): it never changes.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
def stylesheet(request, token: str):
    rules = [
        f'@font-face {{ font-family: "{FAMILY}"; src: url("/fonts/{_token([face, points])}.woff2") '
        f'format("woff2"); unicode-range: {_ranges(points)}; font-display: swap; }}\n'
        for face, points in _unsigned(token)
        if face in FACES
    ]
    return _cached(HttpResponse("".join(rules), content_type="text/css; charset=utf-8"))


def face_subset(face: str, points: list[int]) -> bytes:
    """The face cut down to these characters (and what shaping them needs), as WOFF2; made once."""
    key = hashlib.sha256(f"{face}:{_ranges(points)}".encode()).hexdigest()
    path = Path(settings.DATA_DIR) / "webfonts" / f"{key}.woff2"
    if path.exists():
        return path.read_bytes()
    out = io.BytesIO()
    with _open(face, lazy=False) as font:
        options = subset.Options(layout_features=["*"], hinting=False, name_IDs=[1, 2], notdef_outline=True)
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=points)
        cutter.subset(font)
        if "glyf" in font and "fvar" in font:
            # The regular weight alone: the variations would double a face's size for bold headings the
            # browser can embolden. (The Chinese face's outlines are CFF2, which fontTools cannot pin.)
            instancer.instantiateVariableFont(font, {"wght": 400}, inplace=True)
        font.flavor = "woff2"
        font.save(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(out.getvalue())
    partial.replace(path)  # whole or not at all, when two requests make the same subset at once
    return out.getvalue()


@require_GET
def face(request, token: str):
    value = _unsigned(token)
    if not (isinstance(value, list) and len(value) == 2 and value[0] in FACES):
        raise Http404("no such font")
    return _cached(HttpResponse(face_subset(value[0], value[1]), content_type="font/woff2"))


def with_faces(html: str) -> str:
    """The HTML page with the link to the stylesheet of the faces it needs in its <head>, if any."""
    head_end = html.find("</head>")
    if head_end < 0:
        return html
    language = re.search(r'<html lang="([^"]*)"', html)
    path = stylesheet_path(_SELECT.sub("", html), language.group(1) if language else "")
    if path is None:
        return html
    return html[:head_end] + f'<link rel="stylesheet" href="{path}">\n' + html[head_end:]


class WebFontMiddleware:
    """Links the stylesheet of the faces an HTML page needs into its <head>, the staff desk's included:
    its staff read the officials' names and addresses in their own scripts too, on laptops that may lack
    the fonts (staff.css names the faces in the admin's list). A page kept by uadesk/pagecache.py was
    linked when it was kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 200
            or response.streaming
            or getattr(response, "faces_linked", False)
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        html = response.content.decode(response.charset)
        linked = with_faces(html)
        if linked is not html:
            response.content = linked.encode(response.charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
