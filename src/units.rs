//! Units for people, used at every layer: byte counts in binary units, sizes as people write
//! them, shapes and counted nouns.

/// Bytes in binary units: `512 B`, `1.5 KiB`, `64 MiB`, `2.0 GiB`.
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if value >= 100.0 || value.fract() < 0.05 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `1 array`, `3 arrays`: a count with its noun.
#[must_use]
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A shape as `10×20×30` (`()` for a scalar).
#[must_use]
pub fn shape_text(shape: &[u64]) -> String {
    if shape.is_empty() {
        return "()".to_string();
    }
    shape
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("×")
}

/// Parses a byte size as dask's `parse_bytes` and humanfriendly's `parse_size` read it: a
/// number (`12`, `1.5`, `1e6`) and an optional unit, case-insensitive, with or without a space.
/// Units ending in `i` or `iB` are binary (`KiB`, `Mi`: 2^10, 2^20, …); the others are decimal
/// (`k`, `kB`, `M`, `MB`: 10^3, 10^6, …), so `1m` is 1,000,000 bytes and `1 MiB` is 1,048,576.
#[must_use]
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let (prefix, binary) = match unit.strip_suffix('i') {
        Some(prefix) => (prefix, true),
        None => (unit, false),
    };
    let power = match prefix {
        "" if !binary => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    let bytes = number * base.powi(power);
    (bytes.is_finite() && bytes >= 0.0).then_some(bytes.round() as u64)
}

/// The whole number in the environment variable `name`, or `default` when it is unset.
///
/// # Errors
/// A message naming the variable and its value when that is not a whole number of at least
/// `min` (a mistyped setting is an error, not silently the default).
pub fn env_number(name: &str, default: u64, min: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(std::env::VarError::NotUnicode(value)) => Err(format!(
            "{name}={}: expected a whole number",
            value.to_string_lossy()
        )),
        Ok(value) => value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|&n| n >= min)
            .ok_or_else(|| format!("{name}={value}: expected a whole number of at least {min}")),
    }
}

/// `text` with every control character (ESC, CR, BEL, newlines, …) written as an escape
/// (`\u{1b}`), so that a name a store chose cannot move the cursor, retitle, recolour or forge
/// lines of a terminal. For names, keys and values from a store in text output.
#[must_use]
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(text, false)
}

/// [`printable`], keeping newlines: for whole messages and reports of several lines.
#[must_use]
pub fn printable_lines(text: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(text, true)
}

fn escape_controls(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if !text.chars().any(escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_naturally() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(64 << 20), "64 MiB");
        assert_eq!(human_bytes(3 << 30), "3 GiB");
        assert_eq!(human_bytes(200 * 1024 + 7), "200 KiB");
    }

    #[test]
    fn sizes_parse_as_dask_reads_them() {
        // dask.utils.parse_bytes and humanfriendly.parse_size give these same values.
        for (text, bytes) in [
            ("12", 12),
            ("12 B", 12),
            ("1e6", 1_000_000),
            ("1m", 1_000_000),
            ("1M", 1_000_000),
            ("1 MB", 1_000_000),
            ("1.5 MB", 1_500_000),
            ("5kB", 5_000),
            ("1 MiB", 1 << 20),
            ("1mi", 1 << 20),
            ("2 GiB", 2 << 30),
            ("1 TiB", 1 << 40),
            ("1 PB", 1_000_000_000_000_000),
        ] {
            assert_eq!(parse_bytes(text), Some(bytes), "{text}");
        }
        for text in ["", "lots", "1 XB", "-1", "MiB", "1 ib", "1 bb"] {
            assert_eq!(parse_bytes(text), None, "{text}");
        }
    }

    #[test]
    fn shapes_read_naturally() {
        assert_eq!(shape_text(&[2, 3]), "2×3");
        assert_eq!(shape_text(&[]), "()");
        assert_eq!(plural(1, "array"), "1 array");
        assert_eq!(plural(2, "array"), "2 arrays");
    }

    #[test]
    fn control_characters_in_names_are_escaped() {
        assert_eq!(printable("a/b"), "a/b");
        assert_eq!(
            printable("x\u{1b}]0;pwned\u{7}\r"),
            "x\\u{1b}]0;pwned\\u{7}\\u{d}"
        );
        assert_eq!(printable_lines("one\ntwo\u{1b}[31m"), "one\ntwo\\u{1b}[31m");
        assert_eq!(printable("a\nb"), "a\\u{a}b");
    }
}
