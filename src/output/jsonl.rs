//! JSON Lines output (`findings.jsonl`, `split_plan.jsonl`): one compact JSON object per line,
//! UTF-8 (non-ASCII written as is, not `\u` escaped), `\n` after every line including the last.
//! Field order is the serde order of `T`, so equal input gives byte-identical files.

use std::io;
use std::path::Path;

use crate::error::Result;
use crate::output::atomic::{write_atomic, OutputPolicy};

/// Write `items` to `path` atomically, one JSON value per line.
pub fn write_jsonl<T: serde::Serialize>(
    path: &Path,
    policy: &OutputPolicy,
    items: impl IntoIterator<Item = T>,
) -> Result<()> {
    write_atomic(path, policy, |w| {
        for item in items {
            serde_json::to_writer(&mut *w, &item).map_err(io::Error::other)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Finding<'a> {
        rule: &'a str,
        id: String,
        related: Vec<String>,
        row: usize,
        value: &'a str,
    }

    #[test]
    fn one_object_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("findings.jsonl");
        let items = vec![
            Finding {
                rule: "DUP001",
                id: "1234".into(),
                related: vec!["5678".into()],
                row: 17,
                value: "8 921 123-45-67",
            },
            Finding {
                rule: "CON003",
                id: "5678".into(),
                related: vec![],
                row: 18,
                value: "Иванов \"Ваня\"\nвторая строка",
            },
        ];
        write_jsonl(&path, &OutputPolicy::default(), &items).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\"rule\":\"DUP001\",\"id\":\"1234\",\"related\":[\"5678\"],\"row\":17,\"value\":\"8 921 123-45-67\"}\n\
             {\"rule\":\"CON003\",\"id\":\"5678\",\"related\":[],\"row\":18,\"value\":\"Иванов \\\"Ваня\\\"\\nвторая строка\"}\n"
        );
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v.is_object());
        }
    }

    #[test]
    fn empty_input_gives_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.jsonl");
        write_jsonl(
            &path,
            &OutputPolicy::default(),
            Vec::<serde_json::Value>::new(),
        )
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"");
    }
}
