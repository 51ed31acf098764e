//! Workbook reading: headings, positions, number formats, typed values, broken cells.

mod common;

use common::*;
use hakusho_sources::{load_project, ValueKind};
use rust_xlsxwriter::{Format, Formula};

#[test]
fn clean_project_reads_every_kind_of_cell() {
    let dir = project();
    let root = dir.path();
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        // title merged over the header, a blank row, the header on row 4 (index 3) starting
        // in column B, columns in another order, an extra column, line breaks in headings
        ws.merge_range(0, 1, 0, 7, "令和2年度 目標指標（企画部）", &Format::new())
            .unwrap();
        let headings = [
            "指標名",
            "施策 コード",
            "施策名",
            "計画\n策定時",
            "実績",
            "目標",
            "備考",
        ];
        for (c, h) in headings.iter().enumerate() {
            ws.write_string(3, 1 + c as u16, *h).unwrap();
        }
        let pct = Format::new().set_num_format("0.0%");
        let count = Format::new().set_num_format("#,##0\"件\"");
        let thousands = Format::new().set_num_format("#,##0");
        // row 5 (index 4)
        ws.write_string(4, 1, "女性委員の割合").unwrap();
        ws.write_string(4, 2, "1-1").unwrap();
        ws.write_number_with_format(4, 4, 0.388, &pct).unwrap();
        ws.write_number_with_format(4, 5, 0.356, &pct).unwrap();
        ws.write_number_with_format(4, 6, 0.5, &pct).unwrap();
        // row 6 blank; row 7
        ws.write_string(6, 1, "英語版ホームページのアクセス件数")
            .unwrap();
        ws.write_string(6, 2, "１－１").unwrap(); // full-width code
        ws.write_number_with_format(6, 4, 34677.0, &count).unwrap();
        ws.write_formula_with_format(
            6,
            5,
            Formula::new("=200000+2850").set_result("202850"),
            &thousands,
        )
        .unwrap();
        ws.write_string(6, 6, "４００，０００").unwrap();
        ws.write_string(6, 7, "見本").unwrap();
        // row 8: annotation, compound, words
        ws.write_string(7, 1, "製造業事業所数").unwrap();
        ws.write_string(7, 2, "1-1").unwrap();
        ws.write_string(7, 4, "326事業所 (平成21年)").unwrap();
        ws.write_string(7, 5, "8施設 98事業者").unwrap();
        ws.write_string(7, 6, "維持").unwrap();
        // a note under the table in the code column is not a row
        ws.write_string(
            9,
            2,
            "(注) 市がすべての事業者を把握することは困難であるため",
        )
        .unwrap();
    });
    write_workbook(&workbook_path(root, "seikatsu"), |ws| {
        standard_sheet(
            ws,
            &[("2-4-1", "商店会加盟店舗数", ["—", "同左", "都市計画決定"])],
        )
    });
    let (project, diags) = load_project(root);
    assert!(errors(&diags).is_empty(), "{:#?}", rendered(&diags));
    let project = project.unwrap();
    let rows = project.rows("indicators", "1-1");
    assert_eq!(rows.len(), 3, "{rows:#?}");

    let r = rows[0];
    assert_eq!(r.name, "女性委員の割合");
    assert_eq!(
        r.location.0.to_string(),
        "sources/workbooks/kikaku.xlsx:目標指標!B5"
    );
    let v = &r.values["baseline"];
    assert_eq!(
        (v.text.as_str(), v.number, v.percent, v.decimals),
        ("38.8%", Some(0.388), true, Some(1))
    );
    assert_eq!(r.values["current"].text, "35.6%");
    assert_eq!(r.values["target"].text, "50.0%");
    assert_eq!(
        r.cells["current"].to_string(),
        "sources/workbooks/kikaku.xlsx:目標指標!F5"
    );

    let r = rows[1];
    assert_eq!(r.group, "1-1");
    let v = &r.values["baseline"];
    assert_eq!(
        (v.text.as_str(), v.number, v.unit.as_deref()),
        ("34,677件", Some(34677.0), Some("件"))
    );
    assert!(v.grouping);
    assert_eq!(r.values["current"].text, "202,850");
    assert_eq!(r.values["current"].number, Some(202850.0));
    let v = &r.values["target"];
    assert_eq!(
        (v.text.as_str(), v.number),
        ("４００，０００", Some(400000.0))
    );
    assert_eq!(r.note, "見本");

    let r = rows[2];
    let v = &r.values["baseline"];
    assert_eq!(v.text, "326事業所 (平成21年)");
    assert_eq!(
        (v.number, v.annotation.as_deref()),
        (Some(326.0), Some("(平成21年)"))
    );
    let v = &r.values["current"];
    assert_eq!(v.parts.len(), 2);
    assert_eq!(v.parts[1].number, Some(98.0));
    assert_eq!(r.values["target"].kind, ValueKind::Text);

    let other = project.rows("indicators", "2-4-1");
    assert_eq!(other[0].values["baseline"].text, "—");
    assert_eq!(other[0].department.as_deref(), Some("seikatsu"));

    // the model serializes (templates) with locations as strings
    let json = serde_yaml::to_string(&project.tables[0].rows[0]).unwrap();
    assert!(
        json.contains("location: sources/workbooks/kikaku.xlsx:目標指標!B5"),
        "{json}"
    );
}

#[test]
fn error_cells_are_reported_at_their_address() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        standard_sheet(
            ws,
            &[(
                "1-1",
                "英語版ホームページのアクセス件数",
                ["34,677件", "", "400,000件"],
            )],
        );
        ws.write_formula(3, 4, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
        ws.write_formula(3, 5, Formula::new("=#REF!").set_result("#REF!"))
            .unwrap();
    });
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert_eq!(
        e,
        vec![
            "sources/workbooks/kikaku.xlsx:目標指標!E4: セル E4 がエラー値 #DIV/0! です。数値か文字列を入力してください",
            "sources/workbooks/kikaku.xlsx:目標指標!F4: セル F4 がエラー値 #REF! です。数値か文字列を入力してください",
        ]
    );
    let en: Vec<String> = diags
        .iter()
        .map(|d| d.render(hakusho_diagnostics::Lang::En))
        .collect();
    assert!(
        en.iter()
            .any(|m| m.ends_with("cell E4 holds the error value #DIV/0!; enter a number or text")),
        "{en:?}"
    );
}

#[test]
fn a_missing_heading_names_the_heading_the_sheet_and_what_was_found() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        for (c, h) in ["施策コード", "指標", "計画策定時", "実績", "目標"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        ws.write_string(2, 0, "1-1").unwrap();
        ws.write_string(2, 1, "何かの件数").unwrap();
    });
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("sources/workbooks/kikaku.xlsx:目標指標!A2: シート 目標指標 に見出し「指標名」がありません（見出し行は 2 行目。"), "{}", e[0]);
    assert!(
        e[0].contains("見つかった見出し: 施策コード、指標、計画策定時、実績、目標"),
        "{}",
        e[0]
    );
}

#[test]
fn unknown_policy_codes_suggest_the_closest() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "seikatsu"), |ws| {
        standard_sheet(
            ws,
            &[
                ("2-4-1", "商店会加盟店舗数", ["1", "2", "3"]),
                ("2-4-2", "観光案内所訪問者数", ["1", "2", "3"]),
            ],
        )
    });
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert_eq!(
        e,
        vec!["sources/workbooks/seikatsu.xlsx:目標指標!A5: 施策コード「2-4-2」はplan.yaml の施策にありません（もしかして 2-4-1 ではありませんか）"]
    );
}

#[test]
fn duplicate_indicators_and_empty_names_are_errors() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        standard_sheet(
            ws,
            &[
                ("1-1", "件数", ["1", "2", "3"]),
                ("1-1", "件 数", ["1", "2", "3"]),
                ("1-1", "", ["4", "5", "6"]),
            ],
        )
    });
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].contains("目標指標!C5: 指標「件 数」が 施策コード 1-1 に二度あります（最初は sources/workbooks/kikaku.xlsx:目標指標!C4）"), "{}", e[0]);
    assert!(
        e[1].contains("目標指標!C6: セル C6 の指標名が空です"),
        "{}",
        e[1]
    );
}

#[test]
fn a_text_file_named_xlsx_is_not_a_workbook() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    std::fs::write(
        workbook_path(root, "kikaku"),
        "施策コード,指標名\n1-1,件数\n",
    )
    .unwrap();
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert!(
        e.iter().any(|m| m.starts_with("sources/workbooks/kikaku.xlsx: Excel のワークブックではありません（拡張子 .xlsx、テキストファイル（CSV など）のようです）")),
        "{e:#?}"
    );
    // and the policy of that department has no rows: a warning, not a crash
    std::fs::write(root.join("sources/workbooks/notes.txt"), "memo").unwrap();
    let (_, diags) = load_project(root);
    assert!(errors(&diags)
        .iter()
        .any(|m| m.starts_with("sources/workbooks/notes.txt: ワークブックではないファイルです")));
}

#[test]
fn missing_workbook_and_missing_sheet() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    std::fs::remove_file(workbook_path(root, "seikatsu")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Sheet1").unwrap();
    wb.save(workbook_path(root, "kikaku")).unwrap();
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert!(e.iter().any(|m| m.starts_with("sources/plan.yaml:11:9: 施策 2-4-1 の担当 生活環境部（seikatsu）のワークブック sources/workbooks/seikatsu.xlsx がありません")), "{e:#?}");
    assert!(e.iter().any(|m| m.starts_with("sources/workbooks/kikaku.xlsx: 読み込むシートがありません（必要なシート名: 目標指標。このファイルのシート: Sheet1）")), "{e:#?}");
}

#[test]
fn a_code_typed_as_a_date_is_explained() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        standard_sheet(ws, &[("1-1", "件数", ["1", "2", "3"])]);
        let date = Format::new().set_num_format("m\"月\"d\"日\"");
        ws.write_number_with_format(3, 0, 44197.0, &date).unwrap(); // 2021-01-01
    });
    let (_, diags) = load_project(root);
    let e = errors(&diags);
    assert!(e.iter().any(|m| m.contains("目標指標!A4: セル A4 の施策コードが日付（2021年1月1日）になっています。「1-1」のつもりなら")), "{e:#?}");
}

#[test]
fn group_cells_merged_over_rows_apply_to_each_row() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        standard_sheet(
            ws,
            &[
                ("1-1", "件数", ["1", "2", "3"]),
                ("", "人数", ["4", "5", "6"]),
            ],
        );
        ws.merge_range(3, 0, 4, 0, "1-1", &Format::new()).unwrap();
    });
    let (project, diags) = load_project(root);
    assert!(errors(&diags).is_empty(), "{:#?}", rendered(&diags));
    assert_eq!(project.unwrap().rows("indicators", "1-1").len(), 2);
}

#[test]
fn two_row_headers_below_a_far_title() {
    let dir = project();
    let root = dir.path();
    clean_workbooks(root);
    write_workbook(&workbook_path(root, "kikaku"), |ws| {
        ws.write_string(5, 0, "目標指標（企画部）").unwrap();
        // row 8: 施策コード 指標名 計画策定時 [達成値 merged over 1 column here] 目標
        ws.write_string(7, 0, "施策コード").unwrap();
        ws.write_string(7, 1, "指標名").unwrap();
        ws.write_string(7, 2, "計画策定時").unwrap();
        ws.write_string(7, 3, "達成値").unwrap();
        ws.write_string(7, 4, "目標").unwrap();
        // row 9: 実績 under 達成値
        ws.write_string(8, 3, "実績").unwrap();
        ws.write_string(9, 0, "1-1").unwrap();
        ws.write_string(9, 1, "件数").unwrap();
        ws.write_string(9, 2, "1件").unwrap();
        ws.write_string(9, 3, "2件").unwrap();
        ws.write_string(9, 4, "3件").unwrap();
    });
    let (project, diags) = load_project(root);
    assert!(errors(&diags).is_empty(), "{:#?}", rendered(&diags));
    let project = project.unwrap();
    let rows = project.rows("indicators", "1-1");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].values["current"].text, "2件");
    assert_eq!(
        rows[0].location.0.to_string(),
        "sources/workbooks/kikaku.xlsx:目標指標!B10"
    );
}
