//! The `.xls` probe's outcomes, with a stand-in child program (a shell script) so each case is
//! reproducible: a hang is stopped at `max_read_seconds`, an abort and an allocation failure
//! become messages, a finished probe lets the file be read in process.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hakusho_sources::workbook::read_all_sheets;
use hakusho_sources::{isolate, Limits};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/calamine")
        .join(name)
}

#[test]
fn probe_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("child.sh");
    std::fs::write(
        &script,
        r#"#!/bin/sh
# $1 = the probe argument, $2 = limits, $3 = the file
case "$3" in
  *hang*) exec sleep 30 ;;
  *abort*) kill -ABRT $$ ;;
  *oom*) echo "memory allocation of 3221225472 bytes failed" >&2; kill -ABRT $$ ;;
  *) echo "hakusho-probe-done ok 1" ;;
esac
"#,
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    isolate::enable(script);
    assert!(isolate::enabled());

    let copy = |name: &str| {
        let p = dir.path().join(name);
        std::fs::copy(fixture("date.xls"), &p).unwrap();
        p
    };
    let limits = Limits {
        max_read_seconds: 1,
        ..Limits::default()
    };

    let t = Instant::now();
    let hakusho_diagnostics::Message { ja, en } =
        read_all_sheets(&copy("hang.xls"), &limits).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert!(ja.contains("上限 max_read_seconds = 1"), "{ja}");
    assert!(en.contains("did not finish in 1 seconds"), "{en}");

    let ja = read_all_sheets(&copy("abort.xls"), &limits).unwrap_err().ja;
    assert!(ja.contains("異常終了しました（signal 6）"), "{ja}");

    let hakusho_diagnostics::Message { ja, en } =
        read_all_sheets(&copy("oom.xls"), &limits).unwrap_err();
    assert!(
        ja.contains("3072 MiB を確保しようとしました") && ja.contains("max_read_mb = 1024"),
        "{ja}"
    );
    assert!(en.contains("raise it with `max_read_mb:`"), "{en}");

    // the probe finished: read in process
    let sheets = read_all_sheets(&copy("fine.xls"), &limits).unwrap();
    assert_eq!(sheets.len(), 1);
    // zip workbooks are inspected by the guard, not probed
    assert!(read_all_sheets(&fixture("errors.xlsx"), &limits).is_ok());
}
