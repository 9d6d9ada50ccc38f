"""Figure: seconds to make the printed pack of a letter-writing event, 10 actions and 50 writers, one core.

The pack is the one the desk sends an organiser (uadesk.delivery.printing.pack): a cover, per action
a case sheet with its QR code and the model letter in English and in the officials' language, letter
paper per official, address labels (a label per writer and official, on A4 sheets of 21) and the
tally sheet. The 10 actions write to officials in 10 scripts (Chinese, Arabic, Persian, Russian,
Hebrew, Hindi, Thai, Japanese, Korean, Spanish), 3 officials each: 30 letter papers, 1,500 labels.
Typst remembers the layout of what did not change between two documents, so three figures:
the first pack of the process (the fonts folder read too), a pack for a new event of the same actions
(as when a second group prints the same actions), and a pack in which every word is new.
The baseline, in the same rounds: the 30 officials' letters made one by one with letter_pdf (A4 + DL
envelope), and a one-line PDF from the same compiler, the floor of any document.
--quick (tests/test_bench.py): the same 10 actions with 3 writers, one round: that it runs, not how fast.
Run: .venv/bin/python -P bench/event_pack.py [--quick] [--cpu N]  (pinned to one core: N or the last)
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import datetime  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import typst  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from uadesk.delivery.printing import Address, PrintLetter, engine, letter_pdf  # noqa: E402
from uadesk.delivery.printing.pack import (  # noqa: E402
    Pack,
    PackAction,
    PackLetter,
    PackPart,
    PackTarget,
    pack_pdf,
    page_count,
)

QUICK = "--quick" in sys.argv
ROUNDS = 1 if QUICK else 3
ACTIONS = 10
WRITERS = 3 if QUICK else 50
SUMMARY = (
    "The human rights defender was arrested at her home on 3 March and has been held incommunicado "
    "since. She is at risk of torture and other ill-treatment. She was detained solely for peacefully "
    "exercising her rights to freedom of expression and association, and must be released.\n\n"
    "Her family has not been told where she is held. Her lawyer has been denied access to her, and "
    "the authorities have given no reason for her detention."
)
BODY = (
    "I am writing to express my deep concern about the human rights defender, arrested on 3 March and "
    "held incommunicado since.\n\nI urge you to release her immediately and unconditionally, and pending "
    "her release, to ensure that she has access to her family and a lawyer of her choice and is "
    "protected from torture and other ill-treatment.\n\nYours sincerely,"
)
# Each action's officials' language, their address in it, and the model letter's opening in it.
SCRIPTS = [
    ("zh", ["北京市西城区西长安街街道 100017"], "尊敬的主席：我写信表达对这位人权捍卫者的深切关注。"),
    ("ar", ["قصر الاتحادية", "القاهرة"], "سيادة الرئيس، أكتب إليكم بشأن المدافعة عن حقوق الإنسان."),
    ("fa", ["خیابان پاستور، تهران"], "جناب آقای رئیس، این نامه را درباره مدافع حقوق بشر می‌نویسم."),
    ("ru", ["ул. Ильинка, д. 23", "Москва, 103132"], "Господин Президент, я пишу о правозащитнице."),
    ("he", ["רחוב קפלן 3", "ירושלים"], "כבוד ראש הממשלה, אני כותבת אליך בעניין מגינת זכויות האדם."),
    ("hi", ["राष्ट्रपति भवन", "नई दिल्ली 110004"], "माननीय राष्ट्रपति जी, मैं मानवाधिकार रक्षक के बारे में लिख रहा हूँ।"),
    ("th", ["ทำเนียบรัฐบาล", "กรุงเทพมหานคร 10300"], "เรียน ท่านนายกรัฐมนตรี ข้าพเจ้าเขียนถึงท่านเรื่องนักปกป้องสิทธิมนุษยชน"),
    ("ja", ["東京都千代田区永田町2-3-1"], "内閣総理大臣殿、人権擁護者について深い懸念を表明します。"),
    ("ko", ["서울특별시 종로구 청와대로 1"], "대통령님께, 인권옹호자에 대해 깊은 우려를 표합니다."),
    ("es", ["Palacio de Miraflores", "Caracas 1010"], "Señor Presidente: Le escribo con preocupación."),
]  # fmt: skip


def make_pack(event: str, fresh: str = "") -> Pack:
    """The pack of one event; `fresh` changes every word of the actions, so Typst can reuse nothing."""
    actions = []
    for i, (lang, native, opening) in enumerate(SCRIPTS[:ACTIONS]):
        country = f"Country {i + 1}{fresh}"
        capital = f"Capital {i + 1}"
        president, minister = f"President {i + 1}{fresh}", f"Minister of Justice {i + 1}"
        targets = [
            PackTarget(Address(president, ["Presidential Palace", capital, country], native, lang),
                       f"Dear {president},", president),
            PackTarget(Address(minister, ["Ministry of Justice", capital, country], native, lang),
                       "Dear Minister,", minister),
            PackTarget(Address(f"Ambassador {i + 1}", ["Embassy of " + country, "London W1"]),
                       "Your Excellency,", f"Ambassador {i + 1}"),
        ]  # fmt: skip
        actions.append(
            PackAction(
                title=f"{country}: human rights defender held incommunicado",
                reference=f"UA {100 + i}/26 · MDE {10 + i}/{1000 + i}/2026",
                deadline="20 December 2026",
                url=f"https://desk.example.org/actions/defender-{i + 1}{fresh}/",
                summary=fresh + SUMMARY,
                individuals=[f"Defender {i + 1} (she/her) — Detained"],
                asks=["Release her immediately and unconditionally", "Let her see her family and a lawyer"],
                letters=[
                    PackLetter("en", "Model letter · English", "Dear President,", fresh + BODY, ""),
                    PackLetter(lang, f"Model letter · {lang}", "", fresh + opening + "\n\n" + opening, ""),
                ],
                targets=targets,
                notes=["Write the address in the country's own script too."],
            )
        )
    parts = [PackPart(k, k.title(), "How to print it.") for k in ("cases", "paper", "labels", "tally")]
    return Pack(title=event, subtitle="10 December 2026 · Town hall", date=datetime.date(2026, 12, 10),
                writers=WRITERS, sheet="A4-21", actions=actions, parts=parts)  # fmt: skip


def check(pdf: bytes, pack: Pack) -> int:
    """The pack has the pages its formula says, the Chinese address, and a Noto face for each script."""
    reader = PdfReader(io.BytesIO(pdf))
    expected = sum(page_count(pack).values())
    if len(reader.pages) != expected:
        sys.exit(f"the pack has {len(reader.pages)} pages, not {expected}")
    text = "".join(p.extract_text() for p in reader.pages[:80]).replace(" ", "")
    fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    families = ["CJK", "Arabic", "Hebrew", "Devanagari", "Thai", "NotoSans-"]
    if "北京市西城区" not in text or not all(any(f in font for font in fonts) for f in families):
        sys.exit(f"the pack is missing a script: fonts {sorted(fonts)}")
    return len(reader.pages)


def seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    cpus = sorted(os.sched_getaffinity(0))
    cpu = int(sys.argv[sys.argv.index("--cpu") + 1]) if "--cpu" in sys.argv else cpus[-1]
    os.sched_setaffinity(0, {cpu})

    first_pack = make_pack("Write for Rights, round 0")
    pdf = b""

    def first():
        nonlocal pdf
        pdf = pack_pdf(first_pack)

    first_seconds = seconds(first)  # includes reading the fonts folder, once per process
    pages = check(pdf, first_pack)
    letters = [
        PrintLetter(
            t.address,
            ["A writer", "Oxford"],
            datetime.date(2026, 12, 10),
            t.salutation,
            BODY,
            "",
            "A writer",
            "en",
        )
        for a in first_pack.actions
        for t in a.targets
    ]
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(engine.font_dir())]
    )
    one_line = typst.Compiler(font_paths=fonts)
    one_line.compile(input=b'#set text(font: "Noto Sans")\nOne line.')

    packs, fresh_packs, singles, floors = [], [], [], []
    for r in range(1, ROUNDS + 1):
        floors.append(
            seconds(
                lambda r=r: one_line.compile(input=f'#set text(font: "Noto Sans")\nOne line {r}.'.encode())
            )
        )
        packs.append(seconds(lambda r=r: pack_pdf(make_pack(f"Write for Rights, round {r}"))))
        fresh_packs.append(seconds(lambda r=r: pack_pdf(make_pack(f"Evening {r}", fresh=f" r{r}"))))
        singles.append(seconds(lambda: [letter_pdf(letter, envelope="DL") for letter in letters]))
    pack_s, fresh_s, single_s, floor_s = (statistics.median(x) for x in (packs, fresh_packs, singles, floors))
    print(f"cpu: {cpu}")
    print(f"actions: {ACTIONS}")
    print(f"writers: {WRITERS}")
    print(f"officials: {len(letters)}")
    print(f"labels: {WRITERS * len(letters)}")
    print(f"pack_pages: {pages}")
    print(f"pack_bytes: {len(pdf)}")
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    print(f"pack_seconds_first_in_process: {first_seconds:.2f}")
    print(f"pack_seconds: {pack_s:.2f}")
    print(f"pack_seconds_every_word_new: {fresh_s:.2f}")
    print(f"baseline_{len(letters)}_single_letter_pdfs_seconds: {single_s:.2f}")
    print(f"baseline_one_line_pdf_seconds: {floor_s:.4f}")
    print(f"pack_vs_single_letters: {fresh_s / single_s:.1f}")
    print(f"pages_per_second: {pages / fresh_s:.0f}")


if __name__ == "__main__":
    main()
