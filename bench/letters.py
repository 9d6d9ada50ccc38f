"""Figure: printed letters (A4 letter + DL envelope, Chinese address) a second, Typst against WeasyPrint.

The letter is set twice in each round: by the print channel (Typst) and, as most Django projects
would, by WeasyPrint from HTML with the same Noto fonts, embedded and subset, the same pages and
address blocks. A third figure is a PDF of one line from the same Typst compiler and fonts: the
floor of what any page costs (compile, font subsetting, PDF writing). Typst remembers the layout of
what did not change, so the main figure sends the model letter with a new supporter each time, as a
worker does for one action; the second figure changes the body too, so nothing is remembered.
Rounds alternate, so a noisy machine slows all alike.
--quick (tests/test_bench.py): one short round of the Typst figures, WeasyPrint left out (it needs the
bench extra, which `make test` does not install, and takes seconds a letter): that it runs, not how fast.
Run: make bench, or .venv/bin/python -P bench/letters.py [--quick] (after `make bench` installed WeasyPrint)
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import datetime  # noqa: E402
import html  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import typst  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from uadesk.delivery.printing import Address, PrintLetter, engine, letter_pdf  # noqa: E402

QUICK = "--quick" in sys.argv
ROUNDS = 1 if QUICK else 3
MIN_SECONDS = 0.1 if QUICK else 1.0
UA = HERE.parent.parent / "shared" / "ua" / "xinjiang-2022.txt"
BODY = """I am distressed to learn that 120 people from predominantly Muslim ethnic groups have been allegedly
interned in camps or sentenced without a fair trial and sent to prison in Xinjiang.

Based on the evidence collected by Amnesty International in the report “Like We Were Enemies in a War”,
the Chinese government has committed at least the crimes against humanity of imprisonment, torture and
persecution in Xinjiang.

I therefore urge you to immediately release all people detained in internment camps and in prisons in
Xinjiang, and, pending their release, disclose their whereabouts and allow them access to their family
and a lawyer of their choice."""
XI = Address(
    "Xi Jinping",
    ["President of the People's Republic of China", "Zhongnanhai",
     "Xichangan'jie Xichengqu, Beijing Shi 100017", "People's Republic of China"],
    ["北京市西城区西长安街街道 100017"],
    "zh",
)  # fmt: skip


def model_letter() -> str:
    # The seed UA's own model letter when shared/ is beside the project; the excerpt above otherwise.
    if UA.is_file():
        text = UA.read_text(encoding="utf-8")
        if "Dear President Xi Jinping:" in text and "Yours sincerely" in text:
            return text.split("Dear President Xi Jinping:", 1)[1].split("Yours sincerely", 1)[0].strip()
    return BODY


WEASY_CSS = """
@font-face { font-family: "Noto Sans"; src: url("{fonts}/NotoSans[wght].ttf"); }
@font-face { font-family: "Noto Sans CJK"; src: url("{fonts}/NotoSansCJK-VF.otf.ttc"); }
@page { size: A4; margin: 25mm 20mm; }
@page envelope { size: 220mm 110mm; margin: 0; }
body { font-family: "Noto Sans", "Noto Sans CJK", sans-serif; font-size: 11pt; line-height: 1.4; }
.sender { text-align: right; }
.recipient { margin: 10mm 0; }
.envelope { page: envelope; position: relative; height: 110mm; }
.envelope .from { position: absolute; left: 10mm; top: 8mm; font-size: 8pt; }
.envelope .to { position: absolute; left: 110mm; top: 45mm; font-size: 11pt; }
.native { font-family: "Noto Sans CJK"; font-size: 13pt; }
"""


def weasy_html(letter: PrintLetter) -> str:
    e = html.escape
    recipient = "<br>".join(e(line) for line in [letter.recipient.name, *letter.recipient.lines])
    native = "<br>".join(e(line) for line in letter.recipient.native_lines)
    sender = "<br>".join(e(line) for line in letter.sender_lines)
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in letter.body.split("\n\n"))
    return (
        f'<html lang="en"><body><div class="sender">{sender}<br>1 September 2022</div>'
        f'<div class="recipient">{recipient}<br><span class="native" lang="zh">{native}</span></div>'
        f"<p>{e(letter.salutation)}</p>{paragraphs}<p>{e(letter.closing)}<br>{e(letter.signature)}</p>"
        f'<div class="envelope"><div class="from">{sender}</div>'
        f'<div class="to"><span class="native" lang="zh">{native}</span><br>{recipient}</div></div>'
        "</body></html>"
    )


def weasyprint_maker(letter):
    """The letter as most Django projects would make it: WeasyPrint from HTML, the same Noto fonts."""
    import weasyprint
    from fontTools.ttLib import TTCollection
    from weasyprint.text.fonts import FontConfiguration

    # @font-face fonts load only through a FontConfiguration given to both the CSS and the PDF writer.
    font_config = FontConfiguration()
    fonts_uri = engine.font_dir().resolve().as_uri()
    # WeasyPrint cannot subset a face inside a collection: give it the Simplified Chinese face alone.
    cjk = Path(tempfile.mkdtemp(prefix="uadesk-bench-")) / "NotoSansCJKsc.otf"
    TTCollection(str(engine.font_dir() / "NotoSansCJK-VF.otf.ttc")).fonts[2].save(str(cjk))
    css = weasyprint.CSS(
        string=WEASY_CSS.replace("{fonts}/NotoSansCJK-VF.otf.ttc", cjk.as_uri())
        .replace("{fonts}", fonts_uri)
        .replace("[wght]", "%5Bwght%5D"),
        font_config=font_config,
    )

    def weasy_pdf(text: str, n: int) -> bytes:
        html_text = weasy_html(letter(n, text))
        return weasyprint.HTML(string=html_text).write_pdf(stylesheets=[css], font_config=font_config)

    return weasy_pdf


def per_second(work, least: int = 3) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < MIN_SECONDS or done < least:
        work(done)
        done += 1
    return done / elapsed


def main() -> None:
    body = model_letter()
    run = [0]

    def letter(n: int, text: str) -> PrintLetter:
        return PrintLetter(
            XI, [f"Supporter {n}", "Łódź"], datetime.date(2022, 9, 1), "Dear President Xi Jinping,",
            text, "Yours sincerely,", f"Supporter {n}", "en",
        )  # fmt: skip

    def same_body(n: int) -> None:
        run[0] += 1
        letter_pdf(letter(run[0], body), paper="A4", envelope="DL")

    def new_body(n: int) -> None:
        run[0] += 1
        letter_pdf(letter(run[0], f"Letter number {run[0]}.\n\n{body}"), paper="A4", envelope="DL")

    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(engine.font_dir())]
    )
    one_line = typst.Compiler(font_paths=fonts)
    weasy_pdf = None if QUICK else weasyprint_maker(letter)

    def weasy(n: int) -> None:
        run[0] += 1
        weasy_pdf(body, run[0])

    def baseline(n: int) -> None:
        run[0] += 1
        one_line.compile(input=f'#set text(font: "Noto Sans")\nOne line, number {run[0]}.'.encode())

    size = len(letter_pdf(letter(0, body)))  # also loads the fonts outside the timing
    samples = {"typst": letter_pdf(letter(0, body))}
    if weasy_pdf is None:
        print("note: WeasyPrint left out in quick mode (`make bench` runs it)")
    else:
        samples["weasyprint"] = weasy_pdf(body, 0)
    # Both engines must print the same letter: the Chinese address, in an embedded Noto face.
    for name, pdf in samples.items():
        reader = PdfReader(io.BytesIO(pdf))
        text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
        fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
        if "北京市" not in text or not all("Noto" in f for f in fonts):
            sys.exit(f"{name} did not print the letter as asked: fonts {sorted(fonts)}")
    baseline(0)
    letters, fresh, floor, weasy_rates = [], [], [], []
    for _ in range(ROUNDS):
        floor.append(per_second(baseline))
        letters.append(per_second(same_body))
        fresh.append(per_second(new_body))
        if weasy_pdf is not None:
            weasy_rates.append(per_second(weasy, least=1))  # seconds a letter here
    rate, fresh_rate, floor_rate = (
        statistics.median(letters),
        statistics.median(fresh),
        statistics.median(floor),
    )
    weasy_rate = statistics.median(weasy_rates) if weasy_rates else None
    left_out = "left out (quick mode)"
    print(f"letter_pdf_bytes: {size}")
    print(f"weasyprint_pdf_bytes: {len(samples['weasyprint']) if weasy_rate else left_out}")
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    print(f"letters_per_second: {rate:.1f}")
    print(f"letters_per_second_new_body: {fresh_rate:.1f}")
    print(f"weasyprint_letters_per_second: {format(weasy_rate, '.1f') if weasy_rate else left_out}")
    print(f"typst_vs_weasyprint: {format(rate / weasy_rate, '.1f') if weasy_rate else left_out}")
    print(f"baseline_one_line_pdfs_per_second: {floor_rate:.1f}")
    print(f"letter_cost_vs_baseline: {floor_rate / rate:.1f}")


if __name__ == "__main__":
    main()
