//! `crmclean migrate` measured on a real-shaped generated export against its ground truth.
//!
//! `tests/fixtures/partner_split/` is the output of
//! `cargo run --release --example gen -- --contacts 5000 --seed 13 --out tests/fixtures/partner_split`
//! (regenerate it when the generator changes): 5000 contacts, 7500 deals, 226 partner cards
//! whose «(контакт)» cells in the deals are snapshots of the cards, client numbers in every
//! phone column, proven only by notes and the client base, or not at all. `truth/` holds what
//! the files prove about every valid phone on every partner card and the exact expected name.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::crmclean;

/// One row of `truth/partner_truth.csv`.
struct Truth {
    truth: String,
    expected_name: String,
}

impl Truth {
    fn proven(&self) -> bool {
        matches!(self.truth.as_str(), "client_note" | "client_base")
    }
}

/// One line of `split_plan.jsonl`: (action, new_contact_name).
type Planned = (String, Option<String>);

/// The figures of the Done-when of issue 13.
#[derive(Debug, Default)]
struct Figures {
    partner_cards: usize,
    moves: usize,
    /// Moves of numbers the files prove to be a client's.
    right_moves: usize,
    /// Moves of those with exactly the expected name.
    named_exactly: usize,
    own_moved: usize,
    proven: usize,
    proven_moved: usize,
    /// Truth rows without a plan line.
    unplanned: usize,
}

fn read_truth(dir: &Path) -> HashMap<(String, String), Truth> {
    let mut r = csv::Reader::from_path(dir.join("truth").join("partner_truth.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let key = (rec[0].to_string(), rec[1].to_string());
            let t = Truth {
                truth: rec[2].to_string(),
                expected_name: rec[3].to_string(),
            };
            (key, t)
        })
        .collect()
}

fn read_plan(path: &Path) -> HashMap<(String, String), Vec<Planned>> {
    let mut plan: HashMap<(String, String), Vec<Planned>> = HashMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = |k: &str| v[k].as_str().map(str::to_string);
        plan.entry((text("partner_id").unwrap(), text("phone").unwrap()))
            .or_default()
            .push((text("action").unwrap(), text("new_contact_name")));
    }
    plan
}

fn measure(
    truth: &HashMap<(String, String), Truth>,
    plan: &HashMap<(String, String), Vec<Planned>>,
) -> Figures {
    let mut f = Figures {
        partner_cards: plan
            .keys()
            .map(|(p, _)| p)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        ..Figures::default()
    };
    for (key, lines) in plan {
        for (action, name) in lines.iter().filter(|(a, _)| a == "move") {
            assert_eq!(action, "move");
            f.moves += 1;
            match truth.get(key) {
                Some(t) if t.proven() => {
                    f.right_moves += 1;
                    if name.as_deref() == Some(t.expected_name.as_str()) {
                        f.named_exactly += 1;
                    }
                }
                Some(t) if t.truth == "own" => f.own_moved += 1,
                _ => {}
            }
        }
    }
    for (key, t) in truth {
        let lines = plan.get(key);
        f.unplanned += usize::from(lines.is_none());
        if t.proven() {
            f.proven += 1;
            if lines.is_some_and(|ls| ls.iter().any(|(a, _)| a == "move")) {
                f.proven_moved += 1;
            }
        }
    }
    f
}

#[test]
fn moves_on_a_real_shaped_export_are_precise_complete_and_named_exactly() {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/partner_split");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("migration");
    let run = crmclean([
        "migrate".as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let truth = read_truth(&input);
    let f = measure(&truth, &read_plan(&out.join("split_plan.jsonl")));
    let precision = f.right_moves as f64 / f.moves as f64;
    let recall = f.proven_moved as f64 / f.proven as f64;
    eprintln!(
        "{f:?}\nprecision {precision:.4}, recall of proven client numbers {recall:.4}, named exactly {}/{}",
        f.named_exactly, f.right_moves
    );
    assert!(
        f.partner_cards >= 200 && f.proven >= 200,
        "too small to measure: {f:?}"
    );
    assert_eq!(
        f.unplanned, 0,
        "every phone on every partner card is in the plan"
    );
    assert_eq!(f.own_moved, 0, "no own number is ever moved");
    assert!(precision >= 0.99, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    assert_eq!(f.named_exactly, f.right_moves, "new contacts named exactly");
}
