//! Templates and narrative cannot read or write outside the project, reach the network or run
//! commands; output names cannot leave build/. (Include of "../x" through the loader and
//! narrative escaping are in render_errors.rs / render_narrative.rs; the `../` document name
//! through the CLI is in build_cli.rs.)

use std::fs;

use hakusho::build::{expand, is_safe_output_name};
use hakusho::render::Renderer;
use hakusho_diagnostics::{Lang, Location};
use hakusho_sources::config::{DocumentDecl, Each};
use hakusho_sources::model::Loc;
use minijinja::context;

fn renderer(files: &[(&str, &str)]) -> (tempfile::TempDir, Renderer) {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("templates");
    fs::create_dir_all(&t).unwrap();
    for (name, src) in files {
        fs::write(t.join(name), src).unwrap();
    }
    fs::write(dir.path().join("secret.txt"), "SECRET").unwrap();
    let r = Renderer::new(&t);
    (dir, r)
}

#[test]
fn no_function_or_filter_touches_files_network_or_processes() {
    // The environment registers only minijinja's built-ins (range, dict, debug, namespace and
    // pure filters) and hakusho's helpers; nothing of this kind exists.
    let names = [
        "open",
        "read",
        "read_file",
        "readfile",
        "file",
        "include_file",
        "load",
        "import",
        "source",
        "env",
        "getenv",
        "environ",
        "system",
        "exec",
        "shell",
        "popen",
        "run",
        "command",
        "spawn",
        "eval",
        "fetch",
        "http",
        "get",
        "url",
        "urlopen",
        "request",
        "curl",
        "glob",
        "listdir",
        "ls",
        "write",
        "write_file",
        "save",
        "remove",
        "unlink",
    ];
    for n in names {
        let (_d, r) = renderer(&[
            (
                "f.html",
                &format!("<p>{{{{ {n}(\"../secret.txt\") }}}}</p>"),
            ),
            ("g.html", &format!("<p>{{{{ \"../secret.txt\"|{n} }}}}</p>")),
        ]);
        for t in ["f.html", "g.html"] {
            let e = r.render(t, context! {}).unwrap_err();
            let msg = e.render(Lang::En);
            assert!(
                msg.contains("unknown") && !msg.contains("SECRET"),
                "{t} with {n}: {msg}"
            );
            assert!(matches!(e.location, Location::Text { .. }), "{msg}");
        }
    }
    // what the built-ins can do: nothing outside the context
    let (_d, r) = renderer(&[(
        "ok.html",
        "<p>{{ range(3)|join(',') }} {{ dict(a=1).a }} {{ 'x'|upper }}</p>",
    )]);
    assert_eq!(
        r.render("ok.html", context! {}).unwrap(),
        "<p>0,1,2 1 X</p>"
    );
}

#[test]
fn import_extends_and_from_outside_templates_fail_clearly() {
    for stmt in [
        "{% import \"/etc/passwd\" as p %}",
        "{% import \"../secret.txt\" as p %}",
        "{% from \"../secret.txt\" import x %}",
        "{% extends \"../secret.txt\" %}",
        "{% include \"/etc/passwd\" %}",
        "{% include \"..\\\\secret.txt\" %}",
        "{% include \"C:/Windows/win.ini\" %}",
    ] {
        let (_d, r) = renderer(&[("doc.html", stmt)]);
        let e = r.render("doc.html", context! {}).unwrap_err();
        let en = e.render(Lang::En);
        let ja = e.render(Lang::Ja);
        assert!(
            !en.contains("SECRET") && !en.contains("root:"),
            "{stmt}: {en}"
        );
        assert!(en.contains("templates/doc.html"), "{stmt}: {en}");
        assert!(
            en.contains("not allowed") || en.contains("outside templates/"),
            "{stmt}: {en}"
        );
        assert!(!ja.is_empty());
    }
}

#[test]
fn a_link_out_of_templates_is_not_followed() {
    #[cfg(unix)]
    {
        let (d, r) = renderer(&[("doc.html", "{% include \"inside.html\" %}")]);
        std::os::unix::fs::symlink(
            d.path().join("secret.txt"),
            d.path().join("templates/inside.html"),
        )
        .unwrap();
        let e = r.render("doc.html", context! {}).unwrap_err();
        let en = e.render(Lang::En);
        assert!(
            // the confined reader's refusal (issue 17, point 10)
            !en.contains("SECRET") && en.contains("leads outside the project"),
            "{en}"
        );
    }
}

#[test]
fn narrative_cannot_run_template_code() {
    let (_d, r) = renderer(&[(
        "doc.html",
        "<p>{{ text }}</p><div>{{ text|narrative }}</div>",
    )]);
    let typed = "{{ range(10**9)|list }} {% include \"../secret.txt\" %} <b>x</b> &amp;";
    let out = r.render("doc.html", context! { text => typed }).unwrap();
    assert!(!out.contains("SECRET"));
    assert!(
        out.contains("{{ range(10**9)|list }} {% include &quot;../secret.txt&quot; %}"),
        "{out}"
    );
    assert!(out.contains("&lt;b&gt;x&lt;/b&gt; &amp;amp;"), "{out}");
}

#[test]
fn output_names_cannot_leave_build() {
    for bad in [
        "../../x",
        "a/b",
        "/tmp/x",
        "/etc/passwd",
        "C:\\x",
        "C:x",
        "..",
        ".",
        "",
        "a\\b",
        "x\0y",
        "x\ny",
        ".hidden",
    ] {
        assert!(!is_safe_output_name(bad), "{bad:?} accepted");
    }
    // a department id that would make `{id}` leave build/ is refused after expansion
    let declared = vec![DocumentDecl {
        name: "booklet-{id}".into(),
        template: "booklet.html".into(),
        title: "{name}".into(),
        each: Some(Each::Department),
        html: None,
        pdf: Default::default(),
        location: Loc(Location::file("sources/hakusho.yaml")),
    }];
    for id in ["../../x", "a/b", "/abs"] {
        let e = expand(&declared, &[(id.to_string(), "部".to_string())]).unwrap_err();
        let msg: Vec<String> = e.iter().map(|d| d.render(Lang::Ja)).collect();
        assert!(
            msg.iter()
                .any(|m| m.contains("は使えません") && m.contains(id)),
            "{id}: {msg:?}"
        );
    }
}
