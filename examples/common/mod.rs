//! Helpers shared by the `samples` and `gen` examples: a tiny deterministic PRNG, CSV field
//! writing in the styles amoCRM and Excel produce, Windows-1251 encoding and the СНИЛС check
//! number. Each example uses a subset, hence the `dead_code` allowance at the `mod` sites.

use std::io::{self, Write};

/// splitmix64: small, fast and good enough for test data; deterministic for a given seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The check number of a СНИЛС from its first nine digits (Pension Fund algorithm): weights
/// 9..1, sum < 100 → sum; 100 or 101 → 00; otherwise sum mod 101, where 100 again becomes 00.
pub fn snils_check(first9: &[u8; 9]) -> u8 {
    let sum: u32 = first9
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (9 - i as u32))
        .sum();
    let c = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => {
            let m = s % 101;
            if m == 100 {
                0
            } else {
                m
            }
        }
    };
    c as u8
}

/// `123-456-789 01` from nine digits and a check number.
pub fn snils_format(first9: &[u8; 9], check: u8) -> String {
    let d: String = first9.iter().map(|d| char::from(b'0' + d)).collect();
    format!("{}-{}-{} {:02}", &d[0..3], &d[3..6], &d[6..9], check)
}

/// Writes one field quoted, doubling inner quotes (amoCRM quotes every field).
pub fn push_quoted(out: &mut String, field: &str) {
    out.push('"');
    if field.contains('"') {
        out.push_str(&field.replace('"', "\"\""));
    } else {
        out.push_str(field);
    }
    out.push('"');
}

/// Writes one field quoted only when it needs it (Excel's «CSV UTF-8» style).
pub fn push_minimal(out: &mut String, field: &str, delim: char) {
    if field.contains(delim) || field.contains('"') || field.contains('\n') || field.contains('\r')
    {
        push_quoted(out, field);
    } else {
        out.push_str(field);
    }
}

/// Appends a full record in amoCRM's style: every field quoted, `delim`, CRLF.
pub fn push_record_quoted<S: AsRef<str>>(out: &mut String, fields: &[S], delim: char) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(delim);
        }
        push_quoted(out, f.as_ref());
    }
    out.push_str("\r\n");
}

/// Appends a full record with minimal quoting, `delim`, CRLF.
pub fn push_record_minimal<S: AsRef<str>>(out: &mut String, fields: &[S], delim: char) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(delim);
        }
        push_minimal(out, f.as_ref(), delim);
    }
    out.push_str("\r\n");
}

/// Streams UTF-8 text to a writer as Windows-1251. Panics on a character cp1251 cannot hold:
/// the data is ours, so that is a bug in the generator, not something to paper over.
pub struct Cp1251Writer<W: Write> {
    inner: W,
    encoder: encoding_rs::Encoder,
    buf: Vec<u8>,
}

impl<W: Write> Cp1251Writer<W> {
    pub fn new(inner: W) -> Self {
        Cp1251Writer {
            inner,
            encoder: encoding_rs::WINDOWS_1251.new_encoder(),
            buf: vec![0; 1 << 16],
        }
    }

    pub fn write_str(&mut self, mut s: &str) -> io::Result<()> {
        while !s.is_empty() {
            let (res, read, written) =
                self.encoder
                    .encode_from_utf8_without_replacement(s, &mut self.buf, false);
            self.inner.write_all(&self.buf[..written])?;
            s = &s[read..];
            match res {
                encoding_rs::EncoderResult::InputEmpty | encoding_rs::EncoderResult::OutputFull => {
                }
                encoding_rs::EncoderResult::Unmappable(c) => {
                    panic!("character {c:?} cannot be written in Windows-1251")
                }
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}

/// Encodes a whole string as Windows-1251 (panics on an unmappable character).
pub fn to_cp1251(s: &str) -> Vec<u8> {
    let mut w = Cp1251Writer::new(Vec::with_capacity(s.len()));
    w.write_str(s).expect("writing to a Vec cannot fail");
    w.finish().expect("flushing a Vec cannot fail")
}

/// Writes a file atomically enough for examples: to `path.tmp`, then renamed.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snils_known() {
        // 112-233-445 95 is the canonical valid example.
        assert_eq!(snils_check(&[1, 1, 2, 2, 3, 3, 4, 4, 5]), 95);
    }
}
