#!/usr/bin/env python3
"""How Chapter 2 (the action plan) of the 2021 white paper seed was transcribed
(documentation, not a build step).

Reads /work/shared/seeds/002_f160ebe9d3a69d59.txt (plain-text extraction of 三鷹市自治体経営白書 2021),
parses the regular structure of 第2章 第2節:

    体系N title
    ID <TAB> [主要 ]title <TAB> department[ department...]
    概要 <TAB> cell
    令和2年度の取組状況等 <TAB> cell

(cells hold <p>…</p> paragraphs, <ul>/<ol> blocks with inline ①②③ items, or plain text) and writes
a *draft* sources/action_plan.yaml to stdout (or to the path given as second argument).
The draft was then checked item by item against the seed; the committed
sources/action_plan.yaml is the source of truth and re-running this script does not touch it.

Normalization (extraction artifacts only):
  - spaces the extraction put between a Japanese character and a digit/Latin letter are removed
    ("令和 2 年度" → "令和2年度", "東京 2020 大会" → "東京2020大会", "LED 化" → "LED化");
    spaces between Latin words are kept ("MITAKA CITY NEWS");
  - a space after a circled number at the start of an item is removed ("① 地域" → "①地域");
  - the label/ID variants "概 要", "令和2年度の 取組状況等", "3 - (12)", "10- (3)", "5-2)" are read
    as 概要, 令和2年度の取組状況等, 3-(12), 10-(3), 5-(2);
  - "主要 " / "【主要】" before a title → major: true;
  - FIXES below: characters the extraction got wrong.

Usage: python3 tools/sample-data/extract_chapter2.py [SEED] [OUT]
"""
import re
import sys

SEED = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else "/work/shared/seeds/002_f160ebe9d3a69d59.txt"
OUT = sys.argv[2] if len(sys.argv) > 2 else None

# Characters/words the extraction got wrong (seed text → printed text).
FIXES = [
    ("滞納処分 of 早期着手", "滞納処分の早期着手"),  # 5-(1): "of" for の
    ("搜索", "捜索"),                              # 5-(1): variant 搜 (U+641C) for 捜
    ("工事实施後", "工事実施後"),                  # 7-(3): simplified 实 for 実
    ("25 m ² →", "25m²→"), ("20 m ² ）", "20m²）"),  # 3-(12): superscript split off
    ("が所管 実地指導", "が所管\n実地指導"),       # 8-(3): lost line break after a sub-heading
]

# Lines whose spaces are column separators of a small printed table, not artifacts: kept.
KEEP_SPACES = re.compile(r"^(市税収納率|保険税収納率|後期保険料収納率|市税口座振替利用率) ")

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
JA = r"\u3000-\u30ff\u3400-\u9fff\uff00-\uffef々〆〇ー－～"


def norm_spaces(s: str) -> str:
    s = s.replace("\u00a0", " ")
    s = re.sub(r"[ \t]+", " ", s).strip()
    if KEEP_SPACES.match(s):
        return s
    # Japanese ↔ digit/Latin/ASCII punctuation
    s = re.sub(rf"(?<=[{JA}]) (?=[0-9A-Za-z(%/+\-.,])", "", s)
    s = re.sub(rf"(?<=[0-9A-Za-z%/+\-.,]) (?=[{JA}])", "", s)
    # digit ↔ digit/unit around spaces introduced inside numbers is not seen; keep.
    # after a circled number
    s = re.sub(rf"([{CIRCLED}]) ", r"\1", s)
    return s


def fix(s: str) -> str:
    for a, b in FIXES:
        s = s.replace(a, b)
    return s


def split_headings(text: str) -> list:
    """"【障がい者支援課】 本文" → ["【障がい者支援課】", "本文"] (a sub-heading on its own line,
    as 7-(1) prints it; the extraction joined them with a space or a line break)."""
    m = re.match(r"^(【[^】]+課】(?:※[^\n]*)?)[ \n](.+)$", text, re.S)
    return [m.group(1), m.group(2)] if m else [text]


def split_items(block: str) -> list:
    """A block of text → lines: a leading paragraph (if any) and one line per ①… item.
    Items are split only at a circled number at the start or after a space."""
    parts = re.split(rf"(?:^|(?<=\s))(?=[{CIRCLED}])", block)
    out = []
    for p in parts:
        p = p.strip()
        if p:
            out.append(p)
    return out


def cell_to_narrative(cell: str) -> str:
    cell = fix(cell.strip())
    blocks = []  # list of ("p"|"item", text)
    if "<p>" in cell or "<ul" in cell or "<ol" in cell:
        # tokens: <p>…</p>, or list openers followed by bare text
        pos = 0
        leftover = re.sub(r"<p>(.*?)</p>|<(?:ul|ol)[^>]*>(.*?)(?=<p>|$)", "", cell, flags=re.S)
        if re.sub(r"<[^>]+>|\s", "", leftover):
            raise SystemExit(f"text outside <p>/<ul>/<ol>: {leftover[:80]!r}")
        for m in re.finditer(r"<p>(.*?)</p>|<(?:ul|ol)[^>]*>(.*?)(?=<p>|$)", cell, re.S):
            if m.group(1) is not None:
                texts = [m.group(1)]
            else:
                texts = [m.group(2)]
            for t in texts:
                t = t.strip()
                if not t:
                    continue
                for head_or_text in split_headings(t):
                    for piece in split_items(head_or_text):
                        kind = "item" if piece[0] in CIRCLED else "p"
                        blocks.append((kind, norm_spaces(piece)))
            pos = m.end()
        rest = re.sub(r"<[^>]+>", "", cell[pos:]).strip()
        if rest:
            blocks.append(("p", norm_spaces(rest)))
    else:
        # plain cell: "。 " (sentence end + space) marks a lost paragraph break
        for para in re.split(r"(?<=。) +(?=\S)", cell):
            for piece in split_items(para):
                kind = "item" if piece[0] in CIRCLED else "p"
                blocks.append((kind, norm_spaces(piece)))
    # join: items consecutive with "\n", everything else with a blank line
    out = ""
    prev = None
    for kind, text in blocks:
        if prev is None:
            out = text
        elif kind == "item" and prev == "item":
            out += "\n" + text
        else:
            out += "\n\n" + text
        prev = kind
    return out


def label(cell: str) -> str:
    return re.sub(r"<[^>]+>|\s", "", cell)


ID_RE = re.compile(r"^(\d+)-\(?(\d+)\)$")


def parse_section1(lines):
    """第1節 (body, after the chapter's own table of contents) up to the 第2節 intro."""
    starts = [i for i, l in enumerate(lines) if l.startswith("第1節 三鷹市都市経営アクションプラン")]
    i = starts[-1]
    s2 = [j for j, l in enumerate(lines) if l.startswith("第2節 各体系の主な取り組み状況について")][-1]
    first_system = next(j for j in range(s2, len(lines)) if re.match(r"^体系\s*1\s", lines[j]))
    d = {"section1_heading": norm_spaces(lines[i]), "overview_heading": "", "overview": [],
         "systems_heading": "", "systems_intro": [], "principles": [], "titles": {},
         "section2_heading": norm_spaces(lines[s2]), "intro": []}
    cur = None
    for ln in lines[i + 1:s2]:
        ln = ln.strip()
        if not ln:
            continue
        if re.match(r"^1 三鷹市都市経営", ln):
            d["overview_heading"], cur = norm_spaces(ln[2:]), "overview"
        elif re.match(r"^2 三鷹市都市経営", ln):
            d["systems_heading"], cur = norm_spaces(ln[2:]), "systems_intro"
        elif ln.startswith("◇"):
            d["principles"].append({"title": norm_spaces(ln[1:]), "systems": []})
        elif m := re.match(r"^体系\s*(\d+)\t(.+)$", ln):
            d["principles"][-1]["systems"].append(m.group(1))
            d["titles"][m.group(1)] = norm_spaces(m.group(2))
        else:
            d[cur].append(norm_spaces(ln))
    for ln in lines[s2 + 1:first_system]:
        if ln.strip():
            d["intro"].append(norm_spaces(re.sub(r" ?\*\*(.*?)\*\* ?", r"\1", ln)))
    return d


def parse(lines):
    systems = []
    item = None
    field = None
    start = None
    for i, line in enumerate(lines):
        if line.startswith("第2節 各体系の主な取り組み状況について"):
            start = i  # the last occurrence is the body (the first ones are TOCs)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("三鷹市自治体経営白書"))
    for ln in lines[start + 1:end]:
        if not ln.strip() or re.match(r"^-{5,}", ln):
            continue
        m = re.match(r"^体系\s*(\d+)\s+(.+)$", ln)
        if m:
            systems.append({"number": m.group(1), "heading": norm_spaces(m.group(2)), "items": []})
            continue
        cells = ln.rstrip("\n").split("\t")
        first = label(cells[0])
        mid = ID_RE.match(first)
        if mid and len(cells) >= 3:
            title = re.sub(r"<[^>]+>", "", cells[1]).strip()
            major = False
            m2 = re.match(r"^(?:【主要】|主要 )\s*(.*)$", title)
            if m2:
                major, title = True, m2.group(1)
            title = norm_spaces(title)
            depts = re.sub(r"<[^>]+>", " ", cells[2]).split()
            item = {"id": f"{mid.group(1)}-({mid.group(2)})", "printed_id": first,
                    "title": fix(title), "major": major, "departments": depts,
                    "summary": "", "status": ""}
            systems[-1]["items"].append(item)
            continue
        if first == "概要":
            item["summary"] = cell_to_narrative(cells[1])
            continue
        if first.startswith("令和2年度の取組状況等"):
            item["status"] = cell_to_narrative(cells[1])
            continue
        if systems:  # only the intro paragraphs precede 体系1
            raise SystemExit(f"unparsed line: {ln[:80]!r}")
    return systems


def q(s: str) -> str:
    """A one-line YAML scalar, double-quoted when plain style could misread it."""
    if s == "" or re.search(r"^[-?:,\[\]{}#&*!|>'\"%@`]|: | #|^\s|\s$", s) or s in ("true", "false", "null", "~") \
            or re.match(r"^[0-9.+-]+$", s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def block(key: str, text: str, indent: str) -> str:
    if not text:
        return f'{indent}{key}: ""\n'
    if "\n" not in text:
        return f"{indent}{key}: {q(text)}\n"
    body = "\n".join((indent + "  " + l) if l else "" for l in text.split("\n"))
    return f"{indent}{key}: |\n{body}\n"


def emit_head(d) -> str:
    # headings (第1節, 1, 2, 第2節) are in white_paper.yaml `headings:`
    out = [f"title: {q(d['overview_heading'].removesuffix('の概要'))}\n",
           "# 第1節 1 (…の概要)\n",
           block("overview", "\n\n".join(d["overview"]), ""),
           "# 第1節 2 (…の体系): the sentence before the list of 体系\n",
           block("systems_intro", "\n\n".join(d["systems_intro"]), ""),
           "# ◇自治体経営の基本的な考え方 and the 体系 listed under each\n",
           "principles:\n"]
    for p in d["principles"]:
        out.append(f"  - title: {q(p['title'])}\n")
        out.append(f"    systems: [{', '.join(q(x) for x in p['systems'])}]\n")
    out.append("# 第2節, before 体系1 (includes the explanation of 【主要】)\n")
    out.append(block("intro", "\n\n".join(d["intro"]), ""))
    return "".join(out)


def emit(systems) -> str:
    out = []
    for s in systems:
        note = ""
        if s.get("body_heading") and s["body_heading"] != s["heading"]:
            note = f'  # the 第2節 heading prints {s["body_heading"]}\n'
        out.append(f'  - number: "{s["number"]}"\n    title: {q(s["heading"])}{note and "  " + note.strip()}\n    items:\n')
        for it in s["items"]:
            out.append(f'      - id: {q(it["id"])}\n')
            out.append(f'        title: {q(it["title"])}\n')
            out.append(f'        major: {"true" if it["major"] else "false"}\n')
            out.append(f'        departments: [{", ".join(q(d) for d in it["departments"])}]\n')
            out.append(block("summary", it["summary"], "        "))
            out.append(block("status", it["status"], "        "))
    return "systems:\n" + "".join(out)


if __name__ == "__main__":
    lines = open(SEED, encoding="utf-8").read().split("\n")
    head = parse_section1(lines)
    systems = parse(lines)
    for sy in systems:  # the title as listed in 第1節 2 (the body heading may differ)
        listed = head["titles"][sy["number"]]
        if listed != sy["heading"]:
            print(f'体系{sy["number"]}: heading {sy["heading"]!r} differs from list {listed!r}; '
                  'using the list', file=sys.stderr)
        sy["body_heading"], sy["heading"] = sy["heading"], listed
    text = emit_head(head) + emit(systems)
    for s in systems:
        print(f'体系{s["number"]}: {len(s["items"])} items, '
              f'{sum(i["major"] for i in s["items"])} major', file=sys.stderr)
        for it in s["items"]:
            if it["printed_id"] != it["id"]:
                print(f'  id {it["printed_id"]!r} read as {it["id"]}', file=sys.stderr)
    if OUT:
        open(OUT, "w", encoding="utf-8").write(text)
    else:
        sys.stdout.write(text)
