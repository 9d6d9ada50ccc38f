"""Text an attacker would try: arbitrary Unicode, mixed with markup of HTML, Typst, PDF and UA layouts."""

from pathlib import Path

from hypothesis import strategies as st

SEED = Path(__file__).resolve().parents[2] / "uadesk" / "ingest" / "demo" / "xinjiang-2022.txt"
SEED_LINES = SEED.read_text(encoding="utf-8").splitlines()

HTML = ["<", ">", "&", '"', "'", "&amp;", "&lt;", "&#60;", "<script>alert(1)</script>", "</pre>",
        "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<iframe src=//evil.example>",
        "javascript:alert(1)", "{{ request }}", "{% csrf_token %}", "<!--", "-->", "<![CDATA[",
        "\x00"]  # fmt: skip
TYPST = ["#", "$", "]", "[", "#set page(width: 1pt)", "#import \"/etc/passwd\"", "#read(\"/etc/passwd\")",
         "$x^2$", "*bold*", "_em_", "`raw`", "@label", "<label>", "\\", "//", "/*", "*/", "#{", "}",
         "%PDF-1.7", "/JavaScript", "/OpenAction", "<< /S /JavaScript /JS (app.alert(1)) >>", "endobj",
         "stream", "endstream", "(", ")"]  # fmt: skip
WHITESPACE = ["\n", "\n\n", "\r\n", "\t", " ", "\u2028", "\u200b", "\u202e", "\ufeff", "\u3000"]

fragments = st.one_of(
    st.text(max_size=40),
    st.sampled_from(HTML + TYPST + WHITESPACE),
)
hostile_text = st.lists(fragments, max_size=30).map("".join)
ua_like_text = st.lists(
    st.one_of(st.sampled_from(SEED_LINES), st.text(max_size=60), st.sampled_from(HTML + TYPST)),
    max_size=120,
).map("\n".join)
