#!/usr/bin/env python3
"""川辺市（架空）の提出用ワークブックを作ります / Writes the fictional city's workbooks.

    pip install openpyxl
    python3 examples/kawabe/tools/make_workbooks.py

Writes sources/workbooks/<department id>.xlsx next to this directory, one per department,
each with the two sheets that sources/hakusho.yaml declares: 成果指標 (現状値・目標値) and
主要事務事業. Values only, no formulas. Numbers carry Excel number formats (0.0%, #,##0"人"…)
so the documents print them as a clerk would see them in Excel. All data is fictional.
"""

import datetime
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "sources" / "workbooks"

PCT = "0.0%"
PEOPLE = '#,##0"人"'
CASES = '#,##0"件"'
GROUPS = '#,##0"団体"'
YEN = '#,##0"千円"'

# (施策番号, 指標名, 現状値, 目標値, 表示形式, 備考); a value given as str is typed as text.
INDICATORS = {
    "kurashi": [
        ("1-1", "自主防災組織の組織率", 0.684, 0.8, PCT, "町内会・自治会単位"),
        ("1-1", "防災メールの登録者数", 12480, 15000, PEOPLE, ""),
        ("1-1", "総合防災訓練の参加者数", 2315, 3000, PEOPLE, ""),
    ],
    "kenko": [
        ("1-2", "保育所等の待機児童数", 3, 0, PEOPLE, "各年4月1日現在"),
        ("1-2", "子育て支援センターの利用件数", 18652, 20000, CASES, ""),
        ("1-2", "「子育てしやすいまち」と感じる市民の割合", 0.572, 0.65, PCT, "市民意識調査"),
        ("1-3", "特定健康診査の受診率", "41.8% (令和6年度)", 0.5, PCT, "法定報告値（1年遅れで確定）"),
        ("1-3", "健康ポイント事業の参加者数", 3204, 5000, PEOPLE, ""),
    ],
    "kensetsu": [
        ("2-1", "汚水処理人口普及率", 0.963, 0.98, PCT, ""),
        ("2-1", "河川清掃活動の参加団体数", 47, 60, GROUPS, ""),
        ("2-1", "ごみのリサイクル率", 0.215, 0.25, PCT, ""),
        ("2-2", "コミュニティバスの年間利用者数", 186400, 200000, PEOPLE, ""),
        ("2-2", "デマンド交通の運行地区数", "3地区", "全7地区", None, "令和7年10月から2地区を追加"),
    ],
    "seisaku": [
        ("2-3", "市公式SNSのフォロワー数", 21350, 30000, PEOPLE, "3種類のSNSの合計"),
        ("2-3", "ふるさと納税の寄附件数", 8742, 10000, CASES, ""),
        ("2-3", "「川辺市に住み続けたい」と思う市民の割合", 0.781, 0.85, PCT, "市民意識調査"),
    ],
}

# (施策番号, 事業名, 予算額（千円）, 事業の概要, 担当課); a line break in 担当課 is typed in the
# cell (Alt+Enter in Excel).
PROJECTS = {
    "kurashi": [
        ("1-1", "防災備蓄倉庫整備事業", 48200, "地区防災拠点に備蓄倉庫を2か所新設し、食料・簡易トイレ等を3日分備蓄する。", "危機管理課"),
        ("1-1", "自主防災組織育成事業", 6350, "結成と資機材購入への補助、防災リーダー養成講座の開催。", "危機管理課\n地域振興課"),
    ],
    "kenko": [
        ("1-2", "病児・病後児保育事業", 32400, "市内2か所の医療機関に委託し、定員を6人から9人に拡大する。", "こども家庭課"),
        ("1-2", "子育て応援アプリ運営事業", 4860, "健診・予防接種の通知と子育て情報の配信。", "こども家庭課"),
        ("1-3", "健康ポイント事業", 7920, "歩数や健診受診に応じてポイントを付与し、地域商品券と交換する。", "健康推進課"),
        ("1-3", "がん検診推進事業", 61300, "5種類のがん検診と、未受診者への個別の受診勧奨。", "健康推進課"),
    ],
    "kensetsu": [
        ("2-1", "川辺川水辺再生事業", 125000, "護岸の緑化と遊歩道の整備（第2期、延長420m）。", "環境政策課\n河川公園課"),
        ("2-1", "生ごみ減量化推進事業", 3150, "生ごみ処理機の購入補助と、段ボールコンポスト講習会。", "環境政策課"),
        ("2-2", "コミュニティバス運行事業", 88600, "市内4路線の運行委託と、バス停のベンチ設置。", "都市計画課"),
        ("2-2", "デマンド交通実証運行事業", 21700, "予約制乗合タクシーを北部・東部地区に拡大して実証運行する。", "都市計画課"),
    ],
    "seisaku": [
        ("2-3", "シティプロモーション推進事業", 15400, "動画・SNSによる魅力発信と、首都圏でのPRイベント。", "広報戦略課"),
        ("2-3", "ふるさと納税推進事業", 96800, "返礼品の開拓（市内事業者30社）とポータルサイトの追加。", "広報戦略課\n商工観光課"),
    ],
}

NAMES = {"seisaku": "政策部", "kurashi": "くらし安全部", "kenko": "健康こども部", "kensetsu": "建設環境部"}

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBE3")
WRAP = Alignment(wrap_text=True, vertical="top")


def title_row(ws, text, width):
    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def header(ws, row, headings):
    for col, h in enumerate(headings, start=1):
        c = ws.cell(row=row, column=col, value=h)
        c.font = BOLD
        c.fill = HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def put(ws, row, col, value, fmt):
    c = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        c.number_format = "@"
    elif fmt:
        c.number_format = fmt
    return c


def workbook(dept):
    wb = Workbook()
    ws = wb.active
    ws.title = "成果指標"
    title_row(ws, f"令和7年度 成果指標調査票（{NAMES[dept]}）", 5)
    header(ws, 3, ["施策番号", "指標名", "現状値", "目標値", "備考"])
    for i, (code, name, cur, tgt, fmt, note) in enumerate(INDICATORS[dept], start=4):
        put(ws, i, 1, code, None)
        ws.cell(row=i, column=2, value=name)
        put(ws, i, 3, cur, fmt)
        put(ws, i, 4, tgt, fmt)
        if note:
            ws.cell(row=i, column=5, value=note)
    for col, w in zip("ABCDE", (10, 40, 16, 16, 30)):
        ws.column_dimensions[col].width = w

    ws = wb.create_sheet("主要事務事業")
    title_row(ws, f"令和7年度 主要事務事業（{NAMES[dept]}）", 5)
    header(ws, 3, ["施策番号", "事業名", "予算額", "事業の概要", "担当課"])
    for i, (code, name, budget, summary, division) in enumerate(PROJECTS[dept], start=4):
        put(ws, i, 1, code, None)
        ws.cell(row=i, column=2, value=name)
        put(ws, i, 3, budget, YEN)
        ws.cell(row=i, column=4, value=summary).alignment = WRAP
        ws.cell(row=i, column=5, value=division).alignment = WRAP
    for col, w in zip("ABCDE", (10, 30, 14, 50, 16)):
        ws.column_dimensions[col].width = w
    return wb


FIXED = datetime.datetime(2026, 4, 1, 9, 0, 0)


def save_reproducibly(wb, path):
    """Saves with fixed document dates and zip timestamps: the same data gives the same bytes."""
    wb.properties.creator = "川辺市（架空）"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                # openpyxl stamps the save time as dcterms:modified
                text = data.decode("utf-8")
                start = text.find("<dcterms:modified")
                end = text.find("</dcterms:modified>")
                if start >= 0 and end >= 0:
                    text = text[:start] + '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-04-01T09:00:00Z' + text[end:]
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for dept in NAMES:
        path = OUT / f"{dept}.xlsx"
        save_reproducibly(workbook(dept), path)
        print(path.relative_to(HERE.parent.parent.parent) if path.is_relative_to(HERE.parent.parent.parent) else path)


if __name__ == "__main__":
    main()
