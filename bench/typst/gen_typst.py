#!/usr/bin/env python3
"""Writes Typst sources with the same content as a hakusho project, for a side-by-side benchmark.

    python3 bench/typst/gen_typst.py PROJECT_DIR [OUT_DIR]     # default OUT_DIR: PROJECT_DIR/typst

Reads PROJECT_DIR/sources (the YAML files and workbooks/*.xlsx, as `hakusho build` does) and writes
one .typ file per document declared in sources/hakusho.yaml (white paper, one booklet per
department, plan summaries), named like hakusho's outputs (hakusho-2021.typ, booklet-kikaku.typ...).
The documents carry the same text, tables (with the configured multi-row headers), notes, TOC and
BIZ UD fonts (compile with font_paths=[fonts/]) so the two typesetters do comparable work; the
exact look is not copied.

Workbooks are read with the standard library only (zip + XML): shared strings, inline strings,
numbers with the cell's number format applied for the formats departments use (`0`, `#,##0`,
decimals, `%`, quoted unit suffixes), the way hakusho shows them.
"""

import re
import sys
import unicodedata
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
LIST_MARKS = tuple(chr(c) for c in range(ord("①"), ord("⑳") + 1)) + ("・", "◎", "○", "●", "- ")

# --------------------------------------------------------------------------------------------
# xlsx reading


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def format_number(value, code):
    """Excel display of value under the simple number formats of department workbooks."""
    if code in (None, "", "General"):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    m = re.match(r'^([#,0.]+)(%|"([^"]*)")?$', code)
    if not m:
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    number, percent, suffix = m.group(1), m.group(2) == "%", m.group(3) or ""
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    scaled = value * 100 if percent else value
    text = f"{scaled:,.{decimals}f}" if "," in number else f"{scaled:.{decimals}f}"
    return text + ("%" if percent else suffix)


BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}


def read_workbook(path):
    """{sheet name: [[cell text]]} with number formats applied."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        formats = dict(BUILTIN_FORMATS)
        xf_formats = []
        if "xl/styles.xml" in names:
            styles = ET.fromstring(z.read("xl/styles.xml"))
            for nf in styles.findall("m:numFmts/m:numFmt", NS):
                formats[int(nf.get("numFmtId"))] = nf.get("formatCode")
            for xf in styles.findall("m:cellXfs/m:xf", NS):
                xf_formats.append(formats.get(int(xf.get("numFmtId", "0")), "General"))
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheets = {}
        for sheet in book.findall("m:sheets/m:sheet", NS):
            target = targets[sheet.get(f"{{{REL_NS}}}id")].lstrip("/")
            if not target.startswith("xl/"):
                target = "xl/" + target
            rows = {}
            for c in ET.fromstring(z.read(target)).iter(f"{{{NS['m']}}}c"):
                ref = c.get("r")
                r = int(re.search(r"\d+", ref).group(0)) - 1
                t = c.get("t")
                v = c.find("m:v", NS)
                if t == "s":
                    text = shared[int(v.text)]
                elif t == "inlineStr":
                    text = "".join(x.text or "" for x in c.iter(f"{{{NS['m']}}}t"))
                elif t in ("str", "e"):
                    text = v.text if v is not None else ""
                elif v is not None:
                    s = int(c.get("s", "0"))
                    code = xf_formats[s] if s < len(xf_formats) else "General"
                    text = format_number(float(v.text), code)
                else:
                    text = ""
                rows.setdefault(r, {})[col_index(ref)] = text
            table = []
            for r in range(max(rows) + 1 if rows else 0):
                cells = rows.get(r, {})
                table.append([cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)])
            sheets[sheet.get("name")] = table
        return sheets


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or ""))


def headings_of(spec):
    h = spec.get("heading")
    return [norm(x) for x in (h if isinstance(h, list) else [h])]


def read_table(project, table, departments):
    """{group code: [row dict]} for one declared table over every department workbook."""
    out = {}
    for dept in departments:
        path = project / "sources" / "workbooks" / f"{dept['id']}.xlsx"
        if not path.exists():
            continue
        sheet = read_workbook(path).get(table["sheet"])
        if not sheet:
            continue
        specs = {"group": table["group"], "name": table["name"]}
        if table.get("note"):
            specs["note"] = table["note"]
        for v in table["values"]:
            specs["v:" + v["key"]] = v
        header_row, cols = None, {}
        for i, row in enumerate(sheet[:20]):
            cells = [norm(c) for c in row]
            found = {k: cells.index(h) for k, s in specs.items() for h in headings_of(s) if h in cells}
            if "group" in found and "name" in found:
                header_row, cols = i, found
                break
        if header_row is None:
            continue
        for row in sheet[header_row + 1 :]:
            get = lambda k: row[cols[k]].strip() if k in cols and cols[k] < len(row) else ""
            if not get("group") and not get("name"):
                continue
            out.setdefault(get("group"), []).append(
                {
                    "name": get("name"),
                    "note": get("note"),
                    "values": [get("v:" + v["key"]) for v in table["values"]],
                }
            )
    return out


# --------------------------------------------------------------------------------------------
# Typst writing


def s(text):
    """A Typst string literal shown as text (no markup interpretation)."""
    return '"' + (text or "").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def t(text):
    return "#" + s(text)


def narrative(text):
    """Narrative text (paragraphs, list lines, 【…】 sub-headings) as Typst blocks."""
    out = []
    for line in (text or "").split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith(LIST_MARKS):
            mark = "-" if line.startswith("- ") else line[0]
            body = line[2:] if line.startswith("- ") else line[1:]
            out.append(f"#item({s(mark)}, {s(body)})")
        elif line.startswith("【") and line.endswith("】"):
            out.append(f"#par(first-line-indent: 0pt, strong({s(line)}))")
        else:
            out.append(f"#par({s(line)})")
    return "\n".join(out) + "\n"


PREAMBLE = """#set document(title: {title})
#set page(paper: "a4", margin: (top: 22mm, bottom: 22mm, x: 20mm),
  header: context {{ set text(8pt, font: "BIZ UDGothic"); h(1fr); {title} }},
  footer: context {{ set text(9pt); h(1fr); counter(page).display(); h(1fr) }})
#set text(font: ("BIZ UDMincho",), lang: "ja", region: "jp", size: 10.5pt)
#set par(justify: true, first-line-indent: (amount: 1em, all: true), leading: 0.75em, spacing: 0.75em)
#show heading: set text(font: "BIZ UDGothic", weight: "bold")
#show heading.where(level: 1): it => {{ pagebreak(weak: true); set text(18pt); it; v(1em) }}
#show heading.where(level: 2): set text(14pt)
#show heading.where(level: 3): set text(12pt)
#show heading.where(level: 4): set text(11pt)
#set table(stroke: 0.5pt, inset: 4pt)
#show table: set text(9pt)
#show table: set par(first-line-indent: 0pt, justify: false)
#let item(mark, body) = block(inset: (left: 1em), spacing: 0.5em,
  grid(columns: (1.2em, 1fr), mark, par(first-line-indent: 0pt, body)))
#let note(body) = block(spacing: 0.4em, text(9pt, par(first-line-indent: 0pt, body)))
"""


def value_table(table, rows, title_col=True):
    """An indicator table: name column + value columns under the configured header rows."""
    values = table["values"]
    n = len(values)
    cols = "(1fr, " + ", ".join(["5.6em"] * n) + ")"
    head = []
    header_rows = table.get("header_rows") or []
    name_label = table["name"].get("label", "")
    if header_rows:
        head.append(f"table.cell(rowspan: {len(header_rows) + 1}, {s(name_label)})")
        for hr in header_rows:
            for cell in hr:
                span = cell.get("span", 1)
                head.append(f"table.cell(colspan: {span}, {s(cell.get('text', ''))})")
    else:
        head.append(s(name_label))
    for v in values:
        head.append(s(str(v.get("label", v.get("heading", "")))))
    body = []
    for row in rows:
        body.append(s(row["name"]))
        for val in row["values"]:
            body.append(f"align(right, {s(val)})")
    return (
        f"#table(columns: {cols}, align: (x, y) => if y < {len(header_rows) + 1} {{ center + horizon }} else {{ left + horizon }},\n"
        f"  table.header({', '.join(head)}),\n  " + ", ".join(body) + ")\n"
    )


def white_paper(p, doc):
    wp, plan, ap = p["white_paper"], p["plan"], p.get("action_plan") or {}
    H = wp.get("headings", {})
    tables = {tb["id"]: tb for tb in p["config"]["tables"]}
    ind = p["tables"].get("indicators", {})
    out = [PREAMBLE.format(title=s(doc["title"]))]
    # cover
    out.append(
        "#page(header: none, footer: none)[#v(6cm)#align(center)[#text(28pt, font: \"BIZ UDGothic\")["
        + t(wp.get("title", ""))
        + "]\\ #text(16pt)["
        + t(wp.get("subtitle", ""))
        + "]\\ #v(1cm)#text(40pt)["
        + t(wp.get("year_label", ""))
        + "]#v(4cm)"
        + t(wp.get("publication", ""))
        + "\\ "
        + t(p["config"].get("city", ""))
        + "]]\n"
    )
    out.append("#outline(title: \"目次\", depth: 3)\n#pagebreak()\n")

    def head(level, key):
        h = H.get(key, {})
        return "=" * level + " " + t(f"{h.get('number', '')} {h.get('title', '')}".strip()) + "\n"

    ch = wp.get("chapters", {})
    out.append(head(1, "chapter1"))
    out.append(narrative(ch.get("chapter1_intro")))
    out.append(head(2, "plan"))
    out.append(head(3, "plan_overview"))
    for sub in ch.get("plan_overview", []):
        out.append("==== " + t(sub["heading"]) + "\n" + narrative(sub.get("text")))
    out.append(head(3, "plan_system"))
    out.append(narrative(ch.get("plan_system_intro")))
    rows = []
    for part in plan["parts"]:
        rows.append(f"table.cell(colspan: 2, strong({s(part['number'] + ' ' + part['title'])}))")
        for pol in part["policies"]:
            rows.append(s(pol["number"]))
            rows.append(s(pol["title"]))
    out.append("#table(columns: (5em, 1fr), " + ", ".join(rows) + ")\n")

    out.append(head(2, "progress"))
    depts = {d["id"]: d for d in p["departments"]}
    for part in plan["parts"]:
        out.append("=== " + t(f"{part['number']} {part['title']}") + "\n")
        for pol in part["policies"]:
            code = str(pol["code"])
            d = depts.get(pol.get("department"), {})
            narr = (d.get("doc", {}).get("policies") or {}).get(code, {}) or {}
            out.append("==== " + t(f"{pol['number']} {pol['title']}") + "\n")
            out.append(f"#align(right, text(9pt, {s('主な担当課：' + d.get('name', '') + ' ' + pol.get('division', ''))}))\n")
            out.append("#par(first-line-indent: 0pt, strong(\"(1) 目標指標の達成状況\"))\n")
            if ind.get(code):
                out.append(value_table(tables["indicators"], ind[code]))
            for n in narr.get("notes") or []:
                out.append(f"#note({s(n)})\n")
            out.append("#par(first-line-indent: 0pt, strong(\"(2) 施策の達成に向けた取り組み状況\"))\n")
            out.append(narrative(narr.get("progress")))

    out.append(head(2, "strategy"))
    out.append(head(3, "strategy_overview"))
    goals = (plan.get("strategy") or {}).get("goals", [])
    for i, sub in enumerate(ch.get("strategy_overview", [])):
        out.append("==== " + t(sub["heading"]) + "\n" + narrative(sub.get("text")))
    sg = p["tables"].get("strategy_goals", {})
    for g in goals:
        out.append(f"#par(first-line-indent: 0pt, strong({s(g['label'] + ' ' + g['title'])}))\n")
        out.append(narrative(g.get("direction")))
        if sg.get(str(g["code"])) and "strategy_goals" in tables:
            out.append(value_table(tables["strategy_goals"], sg[str(g["code"])]))
    out.append(head(3, "strategy_progress"))
    for sub in ch.get("strategy_kpi_intro", []):
        out.append("==== " + t(sub["heading"]) + "\n" + narrative(sub.get("text")))
    kpi = p["tables"].get("strategy_kpi", {})
    for g in goals:
        out.append(f"#par(first-line-indent: 0pt, strong({s(g['label'] + ' ' + g['title'])}))\n")
        if kpi.get(str(g["code"])) and "strategy_kpi" in tables:
            out.append(value_table(tables["strategy_kpi"], kpi[str(g["code"])]))
        for n in g.get("kpi_notes") or []:
            out.append(f"#note({s(n)})\n")

    if ap:
        out.append(head(1, "chapter2"))
        out.append(head(2, "action_plan"))
        out.append(head(3, "action_plan_overview"))
        out.append(narrative(ap.get("overview")))
        out.append(head(3, "action_plan_system"))
        out.append(narrative(ap.get("systems_intro")))
        titles = {str(x["number"]): x["title"] for x in ap.get("systems", [])}
        for pr in ap.get("principles", []):
            out.append(f"#par(first-line-indent: 0pt, strong({s('◇' + pr['title'])}))\n")
            for n in pr.get("systems", []):
                out.append(f"#item({s('')}, {s(f'体系{n} ' + titles.get(str(n), ''))})\n")
        out.append(head(2, "action_plan_progress"))
        out.append(narrative(ap.get("intro")))
        for system in ap.get("systems", []):
            out.append("=== " + t(f"体系{system['number']} {system['title']}") + "\n")
            for it in system.get("items", []):
                mark = "【主要】" if it.get("major") else ""
                out.append(f"#block(breakable: false, below: 0.4em, text(font: \"BIZ UDGothic\", {s(it['id'] + ' ' + mark + it['title'])}))\n")
                out.append(f"#align(right, text(9pt, {s('・'.join(it.get('departments') or []))}))\n")
                out.append(
                    "#table(columns: (1fr, 1fr), table.header([概要], [令和2年度の取組状況等]),\n  ["
                    + narrative(it.get("summary"))
                    + "], ["
                    + narrative(it.get("status"))
                    + "])\n"
                )
    col = wp.get("colophon", {})
    if col:
        out.append("#pagebreak()\n#v(1fr)\n#align(center, block(stroke: 0.5pt, inset: 1em)[")
        out.append("\\ ".join(t(x) for x in col.get("lines", [])))
        out.append("])\n")
    return "".join(out)


def booklet(p, doc, dept):
    b = p.get("booklet") or {}
    d = dept["doc"]
    tables = {tb["id"]: tb for tb in p["config"]["tables"]}
    ind = p["tables"].get("indicators", {})
    out = [PREAMBLE.format(title=s(doc["title"]))]
    out.append(f"#align(center, text(20pt, font: \"BIZ UDGothic\", {s(doc['title'])}))\n")
    out.append(narrative(b.get("intro")))
    out.append("== 部の使命・目標\n" + narrative(d.get("mission")))
    res = d.get("resources") or {}
    out.append("== 部の経営資源\n")
    out.append(f"#table(columns: (8em, 1fr), [職員数], {s(res.get('staff', ''))}, [予算], {s(res.get('budget', ''))})\n")
    out.append("== 今年度の主要事業\n")
    for mp in d.get("main_projects") or []:
        text = (mp.get("title", "") + " " if mp.get("title") else "") + mp.get("text", "")
        if mp.get("contact"):
            text += "（" + mp["contact"] + "）"
        out.append(f"#item({s('●')}, {s(text)})\n")
    pols = [pol for part in p["plan"]["parts"] for pol in part["policies"] if pol.get("department") == dept["id"]]
    if pols:
        out.append("== 担当する施策\n")
    for pol in pols:
        code = str(pol["code"])
        narr = (d.get("policies") or {}).get(code, {}) or {}
        out.append("=== " + t(f"{pol['number']} {pol['title']}") + "\n")
        if ind.get(code):
            out.append(value_table(tables["indicators"], ind[code]))
        for n in narr.get("notes") or []:
            out.append(f"#note({s(n)})\n")
        out.append(narrative(narr.get("progress")))
    out.append(f"#v(1em)#note({s(b.get('note', ''))})\n#note({s(b.get('contact', ''))})\n")
    return "".join(out)


def plan_summaries(p, doc):
    ps = p.get("plan_summaries") or {}
    out = [PREAMBLE.format(title=s(doc["title"]))]
    out.append(f"#align(center, text(18pt, font: \"BIZ UDGothic\", {s(ps.get('title', doc['title']))}))\n")
    out.append(f"#align(center, {s(ps.get('subtitle', ''))})\n#outline(title: none, depth: 1)\n")
    for plan in ps.get("plans", []):
        out.append("= " + t(f"{plan['title']}（{plan.get('edition', '')}）") + "\n")
        out.append("=== 目的・概要\n" + narrative(plan.get("purpose")))
        if plan.get("indicators"):
            out.append("=== 目標指標\n#table(columns: (1fr, 1fr), [指標], [目標], ")
            out.append(", ".join(f"{s(i.get('name', ''))}, {s(i.get('target', ''))}" for i in plan["indicators"]))
            out.append(")\n")
        if plan.get("projects"):
            out.append("=== 主な事業と取り組み内容\n")
            for pr in plan["projects"]:
                out.append(f"#item({s(pr.get('mark', ''))}, {s((pr.get('title') or '') + '　' + (pr.get('text') or ''))})\n")
        for issue in plan.get("issues") or []:
            out.append(f"#par(first-line-indent: 0pt, strong({s('◇' + issue.get('heading', ''))}))\n")
            for x in issue.get("items") or []:
                out.append(f"#item({s('・')}, {s(x)})\n")
        out.append(f"#align(right, {s('担当課：' + (plan.get('contact') or ''))})\n")
        pc = plan.get("public_comment")
        if pc:
            out.append("=== " + t(f"パブリックコメント時の素案（{pc.get('edition', '')}）") + "\n")
            for key, label in (("purpose", "○目的・概要"), ("structure", "○計画の構成"), ("projects", "○主な事業")):
                if pc.get(key):
                    out.append(f"#par(first-line-indent: 0pt, strong({s(label)}))\n" + narrative(pc[key]))
    note = ps.get("note") or {}
    if note:
        out.append(f"#block(stroke: 0.5pt, inset: 0.8em)[#strong({s(note.get('heading', ''))})\\ {t(note.get('text', ''))}]\n")
    return "".join(out)


def load_project(project):
    src = project / "sources"
    load = lambda name: yaml.safe_load((src / name).read_text(encoding="utf-8")) if (src / name).exists() else None
    config = load("hakusho.yaml")
    departments = []
    for d in config["departments"]:
        path = src / "departments" / f"{d['id']}.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        departments.append({"id": d["id"], "name": d["name"], "doc": doc or {}})
    p = {
        "config": config,
        "plan": load("plan.yaml"),
        "white_paper": load("white_paper.yaml") or {},
        "action_plan": load("action_plan.yaml"),
        "plan_summaries": load("plan_summaries.yaml"),
        "booklet": load("booklet.yaml"),
        "departments": departments,
    }
    p["tables"] = {tb["id"]: read_table(project, tb, config["departments"]) for tb in config.get("tables", [])}
    return p


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    project = Path(sys.argv[1])
    out_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else project / "typst"
    out_dir.mkdir(parents=True, exist_ok=True)
    p = load_project(project)
    written = []
    for doc in p["config"]["documents"]:
        template = doc.get("template", "")
        if doc.get("each") == "department":
            for dept in p["departments"]:
                name = doc["name"].replace("{id}", dept["id"]).replace("{name}", dept["name"])
                title = doc["title"].replace("{id}", dept["id"]).replace("{name}", dept["name"])
                text = booklet(p, {**doc, "title": title}, dept)
                written.append((name, text))
        elif template.startswith("white_paper"):
            written.append((doc["name"], white_paper(p, doc)))
        elif template.startswith("plan_summaries"):
            written.append((doc["name"], plan_summaries(p, doc)))
        else:
            print(f"gen_typst: skipping document {doc['name']} (template {template})", file=sys.stderr)
    for name, text in written:
        (out_dir / f"{name}.typ").write_text(text, encoding="utf-8")
    print(f"{len(written)} Typst documents → {out_dir}")


if __name__ == "__main__":
    main()
