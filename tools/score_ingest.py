#!/usr/bin/env python3
"""Score parsed Urgent Action documents against hand-labelled answers.

Usage:
  score_ingest.py --cmd 'uadesk ingest {file} --json' DIR [DIR ...]

Each DIR holds pairs NAME.txt (or .pdf/.docx/.html/.eml) and NAME.expected.json (see
../contracts/urgent-action.schema.json). The command is run once per document with
{file} replaced by its path; its standard output must be one JSON object.
Prints one line per document, a per-field table, and last the overall score
as 'score: 0.NNN (checks passed / checks)'. Exits 0 always; --min X makes it
exit 1 when the overall score is below X.
"""

import argparse
import difflib
import json
import re
import shlex
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

# The documents `uadesk ingest` reads (uadesk/ingest/readers.py SUPPORTED).
SOURCES = (".txt", ".pdf", ".docx", ".html", ".htm", ".eml")

QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def norm(s):
    if s is None:
        return ""
    s = unicodedata.normalize("NFKC", str(s)).translate(QUOTES)
    return re.sub(r"\s+", " ", s).strip().strip(":,;.").casefold()


def similar(a, b):
    a, b = norm(a), norm(b)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def digits(s):
    return re.sub(r"\D", "", s or "")


def set_f1(expected, got, key=norm):
    e, g = {key(x) for x in expected if key(x)}, {key(x) for x in got if key(x)}
    if not e and not g:
        return 1.0
    if not e or not g:
        return 0.0
    tp = len(e & g)
    if tp == 0:
        return 0.0
    p, r = tp / len(g), tp / len(e)
    return 2 * p * r / (p + r)


def score_doc(exp, got):
    """Return {field: score in [0, 1]}."""
    s = {}
    s["kind"] = float(exp["kind"] == got.get("kind"))
    s["title"] = float(same_title(exp["title"], got.get("title")))
    s["ua_number"] = float(
        norm(exp["ua_number"]).replace(".", "/") == norm(got.get("ua_number")).replace(".", "/")
    )
    s["index_number"] = float(norm(exp["index_number"]) == norm(got.get("index_number")))
    s["deadline"] = float(exp["deadline"] == got.get("deadline"))
    s["preferred_languages"] = float(
        sorted(exp["preferred_languages"]) == sorted(got.get("preferred_languages") or [])
    )
    s["previous_ua_urls"] = set_f1(
        exp["previous_ua_urls"], got.get("previous_ua_urls") or [], key=lambda u: norm(u).rstrip("/")
    )
    s["summary"] = min(1.0, similar(exp["summary"], got.get("summary")) / 0.9)
    s["individuals"] = set_f1(
        [i["name"] for i in exp["individuals"]], [i.get("name") for i in got.get("individuals") or []]
    )
    letter_e, letter_g = exp.get("model_letter"), got.get("model_letter")
    if letter_e is None:
        s["model_letter"] = float(letter_g is None)
    else:
        body = similar(letter_e["body"], (letter_g or {}).get("body"))
        s["model_letter"] = min(1.0, body / 0.95)
        s["letter_salutation"] = float(
            norm(letter_e["salutation"]) == norm((letter_g or {}).get("salutation"))
        )
    s["asks"] = set_f1(exp["asks"], got.get("asks") or [], key=lambda a: norm(a)[:60])

    # Targets: matched by name, then each matched pair scored field by field.
    got_targets = {norm(t.get("name")): t for t in got.get("targets") or []}
    s["target_names"] = set_f1([t["name"] for t in exp["targets"]], list(got_targets))
    per = defaultdict(list)
    for t in exp["targets"]:
        g = got_targets.get(norm(t["name"]))
        if g is None:
            for f in (
                "role",
                "title",
                "address",
                "native_address",
                "emails",
                "faxes",
                "salutation",
                "country",
            ):
                per[f].append(0.0)
            continue
        per["role"].append(float(t["role"] == g.get("role")))
        per["title"].append(float(similarity_ok(t["title"], g.get("title"), 0.85)))
        per["address"].append(
            float(similarity_ok(" ".join(t["address_lines"]), " ".join(g.get("address_lines") or []), 0.9))
        )
        per["native_address"].append(
            float(
                similarity_ok(
                    "".join(t["native_address_lines"]), "".join(g.get("native_address_lines") or []), 0.9
                )
            )
        )
        per["emails"].append(set_f1(t["emails"], g.get("emails") or []))
        per["faxes"].append(set_f1(t["faxes"], g.get("faxes") or [], key=digits))
        per["salutation"].append(float(norm(t["salutation"]) == norm(g.get("salutation"))))
        per["country"].append(float((t["country"] or "") == (g.get("country") or "")))
    for f, vals in per.items():
        s["target_" + f] = sum(vals) / len(vals)
    return s


def title_core(s):
    """A title without a leading 'Country:' label or a trailing '(Mexico 47.24)' reference."""
    s = norm(s)
    s = re.sub(r"\s*\([^()]*\d[^()]*\)$", "", s)
    s = re.sub(r"^[^:]{0,40}:\s*(further information( on ua [^:]*)?:\s*)?", "", s)
    return s


def same_title(a, b):
    return similar(a, b) >= 0.95 or similar(title_core(a), title_core(b)) >= 0.95


def similarity_ok(a, b, threshold):
    if not norm(a) and not norm(b):
        return True
    return similar(a, b) >= threshold


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", required=True, help="command with {file}")
    ap.add_argument("--min", type=float, default=None)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    totals = defaultdict(list)
    docs = 0
    for d in a.dirs:
        for exp_path in sorted(Path(d).glob("*.expected.json")):
            stem = exp_path.name[: -len(".expected.json")]
            srcs = [p for p in exp_path.parent.glob(stem + ".*") if p.suffix in SOURCES]
            if not srcs:
                continue
            exp = json.loads(exp_path.read_text(encoding="utf-8"))
            cmd = a.cmd.replace("{file}", shlex.quote(str(srcs[0])))
            try:
                out = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=a.timeout)
                got = json.loads(out.stdout)
                if not isinstance(got, dict):
                    raise ValueError("not an object")
            except Exception as e:  # a crash or bad output scores zero on every field
                print(f"{stem}: no usable output ({type(e).__name__}: {str(e)[:120]})")
                got = {}
            s = score_doc(exp, got)
            docs += 1
            for f, v in s.items():
                totals[f].append(v)
            print(
                f"{stem}: {sum(s.values()) / len(s):.3f}  "
                + " ".join(f"{f}={v:.2f}" for f, v in s.items() if v < 1)
            )
    if not docs:
        print("score: 0.000 (no documents)")
        return 1 if a.min is not None else 0
    print("\nfield                  mean   docs")
    for f, vals in sorted(totals.items()):
        print(f"{f:22s} {sum(vals) / len(vals):.3f}  {len(vals)}")
    passed = sum(sum(v) for v in totals.values())
    n = sum(len(v) for v in totals.values())
    print(f"score: {passed / n:.3f} ({passed:.1f} / {n} checks over {docs} documents)")
    if a.min is not None and passed / n < a.min:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
