#!/usr/bin/env python3
"""How Chapter 1 of the 2021 white paper seed was transcribed (documentation, not a build step).

Reads /work/shared/seeds/002_f160ebe9d3a69d59.txt (plain-text extraction of 三鷹市自治体経営白書 2021)
and writes a *draft* of the regular parts into an output directory (default /tmp/hakusho-stage):

  plan_parts.yaml        parts and policies (code, number, title, department, division)
  policies/<id>.yaml     per department: the `policies:` block (notes, progress)
  indicators.tsv         the 目標指標 rows with the cell typing (see README.md)
  strategy_goals.tsv     the 総合戦略 数値目標 rows
  strategy_kpi.tsv       the 総合戦略 KPI rows

The drafts were then checked policy by policy against the seed and copied into sources/ and
tools/sample-data/, with the hand fixes listed in tools/sample-data/README.md. The committed files
are the source of truth; re-running this script does not touch them.

Usage: python3 tools/sample-data/extract_seed.py [SEED] [OUTDIR]
"""
import os
import re
import sys

SEED = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/seeds/002_f160ebe9d3a69d59.txt"
OUT = sys.argv[2] if len(sys.argv) > 2 else "/tmp/hakusho-stage"

DEPARTMENTS = [
    ("kikaku", "企画部"), ("somu", "総務部"), ("shimin", "市民部"),
    ("seikatsu-kankyo", "生活環境部"), ("sports-bunka", "スポーツと文化部"),
    ("toshi-saisei", "都市再生部"), ("toshi-seibi", "都市整備部"),
    ("kenko-fukushi", "健康福祉部"), ("kodomo", "子ども政策部"), ("kyoiku", "教育部"),
]

# Lines (1-based, inclusive ranges) whose extraction put spaces around every half-width digit
# ("令和 2 年度", "225 件", "(注 1)"): on these lines a space that does not touch an ASCII letter
# is an extraction artifact and is removed.
SPACED = [(368, 392), (454, 454), (472, 481), (559, 567), (781, 781), (795, 796),
          (798, 798), (812, 856)]

# Sub-grouped policies: (part, parent number) -> group label as printed in 施策体系 (seed l.100-142)
GROUPS = {
    (2, "4"): "第4 商業環境の整備",
    (3, "3"): "第3 住環境の改善",
    (7, "1"): "第1 生涯学習の推進",
}


def spaced(lineno):
    return any(a <= lineno <= b for a, b in SPACED)


def is_ascii_letter(c):
    return c.isascii() and c.isalpha()


def squeeze_artifact_spaces(s):
    """Remove spaces that touch no ASCII letter (used on SPACED lines only)."""
    out = []
    for i, c in enumerate(s):
        if c == " ":
            left = s[i - 1] if i > 0 else ""
            right = s[i + 1] if i + 1 < len(s) else ""
            if not (is_ascii_letter(left) or is_ascii_letter(right)):
                continue
        out.append(c)
    return "".join(out)


def clean_name(s):
    """A table's name cell: a space is a line break inside the cell unless it separates two
    ASCII words."""
    out = []
    for i, c in enumerate(s):
        if c == " ":
            left = s[i - 1] if i > 0 else ""
            right = s[i + 1] if i + 1 < len(s) else ""
            if not (is_ascii_letter(left) and is_ascii_letter(right)):
                continue
        out.append(c)
    return "".join(out).strip()


def clean_value(s):
    """A value cell: inside parentheses every space goes ("(注 1)" → "(注1)", "(①②③ ④)");
    outside, a space is kept only before "(" (the annotation: "326事業所 (平成21年)") and between
    a unit and the next number of a compound value ("8施設 98事業者")."""
    s = s.strip()
    # spaces inside parentheses
    res, depth = [], 0
    for c in s:
        if c in "(（":
            depth += 1
        elif c in ")）":
            depth -= 1
        if c == " " and depth > 0:
            continue
        res.append(c)
    s = "".join(res)
    out = []
    for i, c in enumerate(s):
        if c == " ":
            left = s[i - 1] if i > 0 else ""
            right = s[i + 1] if i + 1 < len(s) else ""
            if right in "(（":
                pass
            elif (not left.isascii()) and right.isdigit():
                pass
            else:
                continue
            if out and out[-1] == " ":
                continue
        out.append(c)
    return "".join(out)


# ---- cell typing -------------------------------------------------------------------------------

NUM_UNIT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%|[^\d\s(（,.%][^\s(（]*)?$")


def typed(display):
    """Decide how a clerk types the printed value: (display, number, format) for a number cell,
    (display, None, None) for a text cell."""
    if display == "":
        return ("", None, None)
    m = NUM_UNIT.match(display)
    if not m:
        return (display, None, None)        # text: annotation, compound, —, 維持, ...
    intpart, frac, unit = m.group(1), m.group(2), m.group(3)
    if unit and unit != "%" and re.search(r"[以上下未満超]", unit):
        return (display, None, None)        # "80台以下": a target phrase, typed as text
    grouping = "," in intpart
    n = int(intpart.replace(",", ""))
    decimals = len(frac) if frac else 0
    num = f"{n}.{frac}" if frac else str(n)
    dec = ("." + "0" * decimals) if decimals else ""
    if unit == "%":
        # 38.8% → 0.388 with 0.0%
        return (display, percent_to_fraction(num), "0" + dec + "%")
    base = ("#,##0" if (grouping or n >= 1000) else "0") + dec
    return (display, num, base + (f'"{unit}"' if unit else ""))


def type_row(displays):
    """Type a row's cells; a clerk formats a row's cells alike: when one of them needs thousands
    separators, all of them get the #,##0 format."""
    cells = [typed(d) for d in displays]
    if any(f and f.startswith("#,##0") for _, _, f in cells):
        cells = [(d, n, "#,##0" + f[1:] if f and f.startswith("0") and not f.endswith("%") else f)
                 for d, n, f in cells]
    return ["%s = %s @ %s" % c if c[1] is not None else c[0] for c in cells]


def percent_to_fraction(num):
    # exact decimal shift by two places, no float noise: "38.8" → "0.388", "84" → "0.84"
    if "." in num:
        i, f = num.split(".")
    else:
        i, f = num, ""
    digits = (i.rjust(3, "0") + f)
    point = len(i.rjust(3, "0")) - 2
    s = digits[:point] + "." + digits[point:]
    s = s.lstrip("0") or "0"
    if s.startswith("."):
        s = "0" + s
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return s


# ---- parsing -----------------------------------------------------------------------------------

def main():
    lines = open(SEED, encoding="utf-8").read().split("\n")
    L = lambda n: lines[n - 1]  # 1-based

    parts, policies = [], []
    part_re = re.compile(r"^第(\d)部 (.+)$")
    pol_re = re.compile(r"^第(\d+)(?:-(\d+))? (.+?) \[主な担当課\] (.+)$")
    cur_part, cur = None, None
    state = None
    n = 146
    while n <= 756:
        line = L(n)
        text = squeeze_artifact_spaces(line) if spaced(n) else line
        m = part_re.match(line)
        if m:
            cur_part = {"number": f"第{m.group(1)}部", "title": m.group(2), "n": int(m.group(1)), "line": n}
            parts.append(cur_part)
            n += 1
            continue
        m = pol_re.match(line)
        if m:
            num, sub, title, tanto = m.groups()
            dept = next(d for d in DEPARTMENTS if tanto.startswith(d[1]))
            code = f"{cur_part['n']}-{num}" + (f"-{sub}" if sub else "")
            cur = {
                "code": code, "number": f"第{num}" + (f"-{sub}" if sub else ""), "title": title,
                "department": dept[0], "division": tanto[len(dept[1]):], "part": cur_part["n"],
                "group": GROUPS.get((cur_part["n"], num)) if sub else None,
                "rows": [], "notes": [], "paras": [], "line": n,
            }
            policies.append(cur)
            state = None
            n += 1
            continue
        if line.startswith("(1) 目標指標の達成状況"):
            state = "table"
        elif line.startswith("(2) 施策の達成に向けた取り組み状況"):
            state = "progress"
        elif state == "table":
            cells = line.split("\t")
            if len(cells) == 6 and cells[0]:
                cur["rows"].append([clean_name(cells[0])] + [clean_value(c) for c in cells[1:]])
            elif re.match(r"^[(（](注|※)", line):
                cur["notes"].append(text)
        elif state == "progress":
            cur["paras"].append((n, text))
        n += 1

    # paragraphs: consecutive non-blank lines are one paragraph (hard-wrapped extraction, seed
    # l.581-590); a paragraph that does not end a sentence continues after the blank line
    # (page break, seed l.708-710).
    for p in policies:
        paras, buf = [], []
        for n, t in p["paras"]:
            if t.strip() == "":
                if buf:
                    paras.append("".join(buf))
                    buf = []
            else:
                buf.append(t.strip())
        if buf:
            paras.append("".join(buf))
        joined = []
        for para in paras:
            if joined and not joined[-1].endswith(("。", "」", "）", ")")):
                joined[-1] += para
            else:
                joined.append(para)
        p["progress"] = joined

    os.makedirs(os.path.join(OUT, "policies"), exist_ok=True)
    write_plan_parts(parts, policies)
    write_policies(policies)
    write_indicators(policies)
    write_strategy(lines)
    print(f"{len(parts)} parts, {len(policies)} policies, "
          f"{sum(len(p['rows']) for p in policies)} indicator rows → {OUT}")


def q(s):
    """YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_plan_parts(parts, policies):
    out = ["parts:"]
    for part in parts:
        out.append(f"  - number: {part['number']}")
        out.append(f"    title: {part['title']}")
        out.append("    policies:")
        for p in policies:
            if p["part"] != part["n"]:
                continue
            out.append(f"      - code: {q(p['code'])}")
            out.append(f"        number: {p['number']}")
            if p["group"]:
                out.append(f"        group: {p['group']}")
            out.append(f"        title: {p['title']}")
            out.append(f"        department: {p['department']}")
            out.append(f"        division: {p['division']}")
    open(os.path.join(OUT, "plan_parts.yaml"), "w", encoding="utf-8").write("\n".join(out) + "\n")


def write_policies(policies):
    for did, dname in DEPARTMENTS:
        mine = [p for p in policies if p["department"] == did]
        out = ["policies:" + ("" if mine else " {}")]
        for p in mine:
            out.append(f"  {q(p['code'])}:                # {p['number']} {p['title']}")
            if p["notes"]:
                out.append("    notes:")
                for note in p["notes"]:
                    out.append(f"      - {q(note)}")
            else:
                out.append("    notes: []")
            out.append("    progress: |")
            for i, para in enumerate(p["progress"]):
                if i:
                    out.append("")
                out.append("      " + para)
        open(os.path.join(OUT, "policies", f"{did}.yaml"), "w", encoding="utf-8").write(
            "\n".join(out) + "\n")


def write_indicators(policies):
    out = []
    for did, _ in DEPARTMENTS:
        for p in policies:
            if p["department"] != did:
                continue
            for row in p["rows"]:
                out.append("\t".join([did, p["code"], p["title"], row[0]] + type_row(row[1:]) + [""]))
    head = [
        "# 第1章 目標指標: one line per indicator; columns: workbook (department id), then the sheet's",
        "# columns. A value is either text (typed as printed) or \"printed = number @ Excel number format\".",
        "@sheet\t目標指標",
        "@title\t令和2年度 目標指標 達成状況（{name}）",
        "@columns\t施策コード\t施策名\t指標名\t計画策定時\t前期\t中期\t実績\t目標\t備考",
    ]
    open(os.path.join(OUT, "indicators.tsv"), "w", encoding="utf-8").write("\n".join(head + out) + "\n")


def write_strategy(lines):
    goals_out, kpi_out = [], []
    goal = None
    for n in range(757, 857):
        line = lines[n - 1]
        m = re.match(r"^[アイウ] 基本目標 ?(\d)$", line)
        if m:
            goal = m.group(1)
            continue
        cells = line.split("\t")
        if len(cells) in (4, 5) and cells[0] not in ("目標項目", "指標"):
            row = ["kikaku", goal, clean_name(cells[0])] + type_row([clean_value(c) for c in cells[1:]])
            (goals_out if len(cells) == 4 else kpi_out).append("\t".join(row))
    goals_head = [
        "# 総合戦略 数値目標 (seed l.778-813): one line per 目標項目; see indicators.tsv for the cell syntax.",
        "@sheet\t総合戦略数値目標",
        "@title\t総合戦略 数値目標（{name}）",
        "@columns\t基本目標\t目標項目\t実績値\\n(平成26年度)\t実績値\\n(平成30年度)\t目標値\\n(令和4年度)",
    ]
    kpi_head = [
        "# 総合戦略 重要業績評価指標 (KPI) (seed l.823-856): one line per 指標.",
        "@sheet\t総合戦略KPI",
        "@title\t令和2年度 総合戦略 重要業績評価指標（KPI） 達成状況（{name}）",
        "@columns\t基本目標\t指標\t実績値\\n(平成26年度)\t戦略策定時\\n(平成30年度)\t実績値\\n(令和2年度)\t目標値\\n(令和4年度)",
    ]
    open(os.path.join(OUT, "strategy_goals.tsv"), "w", encoding="utf-8").write("\n".join(goals_head + goals_out) + "\n")
    open(os.path.join(OUT, "strategy_kpi.tsv"), "w", encoding="utf-8").write("\n".join(kpi_head + kpi_out) + "\n")


if __name__ == "__main__":
    main()
