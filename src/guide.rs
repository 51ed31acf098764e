//! The clerk's guide: how a department fills in its workbook, said in Japanese from the
//! project's configuration (sheets, headings, the columns to fill, the department's codes) and
//! the tool's own rules for typing values. It goes to `hakusho guide` and to the 記入方法 sheet of
//! every workbook `hakusho workbook` writes, so it never goes stale when `hakusho.yaml` changes.
//!
//! Nothing here names a city: every sheet, heading and label comes from the configuration.

use hakusho_sources::config::{RefersTo, TableConfig};
use hakusho_sources::{era_label, Project};

use crate::workbook::{fill_columns, plan_sheets, SheetPlan};

/// A guide: a title and sections of paragraphs, lists and tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Guide {
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    List(Vec<String>),
    /// A table: the header row, then the rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

/// The guide for `department`'s workbook; `None` when the department submits no workbook
/// (or is unknown).
pub fn for_department(project: &Project, department: &str) -> Option<Guide> {
    let dept = project.department(department)?;
    let sheets = plan_sheets(project, department);
    if sheets.is_empty() {
        return None;
    }
    let next_year = year_label(project.fiscal_year + 1);
    let mut sections = vec![file_section(department, &sheets)];
    for plan in &sheets {
        sections.push(sheet_section(project, department, plan.table));
    }
    sections.push(values_section());
    sections.push(check_section(department));
    Some(Guide {
        title: format!(
            "{}（{}）{next_year} 提出用ワークブックの記入方法",
            project.city, dept.name
        ),
        sections,
    })
}

fn year_label(year: i32) -> String {
    era_label(year, "年度").unwrap_or_else(|| format!("{year}年度"))
}

fn file_section(department: &str, sheets: &[SheetPlan]) -> Section {
    let sheets: Vec<String> = sheets
        .iter()
        .map(|p| format!("「{}」", p.table.sheet))
        .collect();
    Section {
        heading: "ファイル".into(),
        blocks: vec![Block::List(vec![
            format!("ファイル名は {department}.xlsx です。名前を変えずに提出してください。"),
            format!("読まれるシートは{}です。ほかのシートがあってもかまいません（読まれません）。", sheets.join("")),
            "Excel ブック（.xlsx）で保存してください。古い形式 .xls と .ods も読めますが、セルの表示形式（35.6% など）が読み取れないため、割合などは文字で入力してください（例: 35.6%）。".into(),
            "パスワードで保護されたファイル、.xlsb、CSV は読めません。".into(),
        ])],
    }
}

fn sheet_section(project: &Project, department: &str, table: &TableConfig) -> Section {
    let fill = fill_columns(table);
    let next_year = year_label(project.fiscal_year + 1);
    let this_year = year_label(project.fiscal_year);
    let (group_what, codes) = match table.group.refers_to {
        RefersTo::Policy => (
            "施策のコード（下の一覧）",
            project
                .policies()
                .filter(|p| p.department == department)
                .map(|p| format!("{} {}", p.code, p.title))
                .collect::<Vec<_>>(),
        ),
        RefersTo::StrategyGoal => (
            "目標のコード（下の一覧）",
            project
                .plan
                .strategy
                .iter()
                .flat_map(|s| &s.goals)
                .map(|g| format!("{} {}", g.code, g.title))
                .collect(),
        ),
    };
    let mut rows = vec![
        vec![
            headings_text(&table.group.heading.0),
            format!("{group_what}。文字として入力します"),
            "はい".into(),
        ],
        vec![
            headings_text(&table.name.heading.0),
            "行の名前（印刷される名前）".into(),
            "はい".into(),
        ],
    ];
    for (i, v) in table.values.iter().enumerate() {
        let printed = one_line(&v.label);
        let what = if fill.contains(&i) {
            format!("{next_year}の値を入力する列（黄色）。いまは{this_year}の値が入っています")
        } else {
            "変更がある場合だけ書き換えます".to_string()
        };
        let what = if printed.is_empty() {
            what
        } else {
            format!("{what}。印刷される見出し: {printed}")
        };
        rows.push(vec![headings_text(&v.heading.0), what, "はい".into()]);
    }
    if let Some(n) = &table.note {
        rows.push(vec![
            headings_text(&n.heading.0),
            "メモ（入力しなくてもかまいません）".into(),
            "いいえ".into(),
        ]);
    }
    let mut blocks = vec![
        Block::Paragraph(
            "シートの上の方（先頭 20 行以内）に見出しの行を一つ作り、次の見出しを入れます。見出しの順番は自由です。見出しの前後の空白、セル内の改行、全角・半角の違いは気にしなくてかまいません。表にない列があっても読まれません。".into(),
        ),
        Block::Table(
            vec!["見出し".into(), "入れるもの".into(), "必須".into()],
            rows,
        ),
    ];
    if fill.is_empty() {
        blocks.push(Block::Paragraph(
            "このシートには黄色の列（来年度の値を入力する列）はありません。変更がある値だけ書き換えてください。".into(),
        ));
    }
    blocks.push(Block::List(vec![
        "1 行に 1 つを書きます。空の行は読み飛ばします。行を加えるときは表のすぐ下の行に入力します。".into(),
        format!(
            "同じ{}の行で{}のセルを縦に結合してもかまいません。結合せずに空けておくのはエラーになります。",
            table.group.heading.main(),
            table.group.heading.main()
        ),
        format!(
            "同じ{}の中に同じ{}を二度書くとエラーになります。",
            table.group.heading.main(),
            table.name.heading.main()
        ),
        format!(
            "{}は文字として入力してください。1-1 をそのまま入力すると Excel が日付（1月1日）に変えてしまいます。セルの書式を「文字列」にしてから入力するか、先頭に ' を付けて '1-1 と入力します。",
            table.group.heading.main()
        ),
    ]));
    if !codes.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "{}に書けるコード:",
            table.group.heading.main()
        )));
        blocks.push(Block::List(codes));
    }
    Section {
        heading: format!("シート「{}」", table.sheet),
        blocks,
    }
}

/// Accepted headings: the first is the one to use; the others are read too.
fn headings_text(headings: &[String]) -> String {
    let main = headings.first().map(|h| one_line(h)).unwrap_or_default();
    if headings.len() > 1 {
        let others: Vec<String> = headings[1..].iter().map(|h| one_line(h)).collect();
        format!("{main}（{} でも可）", others.join("、"))
    } else {
        main
    }
}

/// A heading or label typed on several lines, on one (`平成26年度\n(前期)` → `平成26年度(前期)`).
fn one_line(s: &str) -> String {
    s.split('\n').map(str::trim).collect()
}

/// How values are typed: the rules of the value parser and the number formats it reads, true
/// for every city.
fn values_section() -> Section {
    let rows = [
        ["数値 ＋ 表示形式 0.0%", "0.356", "35.6%"],
        ["数値 ＋ 表示形式 #,##0", "1234", "1,234"],
        ["数値 ＋ 表示形式 #,##0\"件\"", "34677", "34,677件"],
        ["数値 ＋ 表示形式 0\"ha\"", "171", "171ha"],
        ["文字で数字と単位", "34,677件、２０，２９２", "入力のまま"],
        [
            "括弧の注つき",
            "326事業所 (平成21年)、4,372人 (198人)",
            "入力のまま",
        ],
        ["二つの数", "8施設 98事業者", "入力のまま"],
        [
            "和暦・西暦の年",
            "平成22年度、令和2年度、2020年度",
            "入力のまま（年として認識します）",
        ],
        ["言葉", "維持、同左、—", "入力のまま"],
        [
            "セル内の改行（Alt+Enter）",
            "企画政策課 ↵ 関係各課",
            "改行したまま",
        ],
        ["数式", "=A1/B1（表示形式つき）", "保存されている計算結果"],
    ];
    Section {
        heading: "値の入力のしかた".into(),
        blocks: vec![
            Block::Paragraph("印刷されるのは Excel の画面に見えているとおりの文字です。値の列には数値と文字のどちらでも入力できます。".into()),
            Block::Table(
                vec!["入力のしかた".into(), "例".into(), "印刷".into()],
                rows.iter()
                    .map(|r| r.iter().map(|c| c.to_string()).collect())
                    .collect(),
            ),
            Block::List(vec![
                "表示形式は、標準、0、0.0、0.00、#,##0、#,##0.0、0%、0.0%、0.00%、\"人\" のような単位つきが読めます。それ以外の形式は「標準」として印刷されます。".into(),
                "#DIV/0!、#REF! などのエラー値はエラーになります。数式を直すか、値を入力してください。".into(),
                "数式は Excel で計算した結果が保存されている必要があります。ほかのツールで作ったファイルは、Excel で開いて保存し直してください。".into(),
                "表から遠く離れたセルに値を入れないでください。ファイルが読めなくなります。".into(),
            ]),
        ],
    }
}

fn check_section(department: &str) -> Section {
    Section {
        heading: "提出する前に確かめる".into(),
        blocks: vec![
            Block::Paragraph(format!(
                "プロジェクトのフォルダで hakusho check sources/workbooks/{department}.xlsx と実行すると、問題がすべて「ファイル名:シート名!セル番地: 内容」の形で表示されます。問題がなければ「問題は見つかりませんでした」と、読んだ行の数が表示されます。"
            )),
        ],
    }
}

impl Guide {
    /// The guide as Markdown (for `hakusho guide`).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for s in &self.sections {
            out.push_str(&format!("\n## {}\n", s.heading));
            for b in &s.blocks {
                out.push('\n');
                match b {
                    Block::Paragraph(p) => {
                        out.push_str(p);
                        out.push('\n');
                    }
                    Block::List(items) => {
                        for i in items {
                            out.push_str(&format!("- {i}\n"));
                        }
                    }
                    Block::Table(header, rows) => {
                        let cell = |c: &String| c.replace('|', "\\|");
                        let line = |cells: &[String]| {
                            format!(
                                "| {} |\n",
                                cells.iter().map(cell).collect::<Vec<_>>().join(" | ")
                            )
                        };
                        out.push_str(&line(header));
                        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                        for r in rows {
                            out.push_str(&line(r));
                        }
                    }
                }
            }
        }
        out
    }

    /// The guide as lines of a worksheet: (text, kind) where kind tells the format.
    pub fn to_sheet_lines(&self) -> Vec<(SheetLine, Vec<String>)> {
        let mut lines = vec![(SheetLine::Title, vec![self.title.clone()])];
        for s in &self.sections {
            lines.push((SheetLine::Blank, vec![]));
            lines.push((SheetLine::Heading, vec![s.heading.clone()]));
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => lines.push((SheetLine::Text, vec![p.clone()])),
                    Block::List(items) => {
                        lines.extend(
                            items
                                .iter()
                                .map(|i| (SheetLine::Text, vec![format!("・{i}")])),
                        );
                    }
                    Block::Table(header, rows) => {
                        lines.push((SheetLine::TableHeader, header.clone()));
                        lines.extend(rows.iter().map(|r| (SheetLine::TableRow, r.clone())));
                    }
                }
            }
        }
        lines
    }
}

/// The kind of a guide line on the 記入方法 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetLine {
    Title,
    Heading,
    Text,
    TableHeader,
    TableRow,
    Blank,
}
