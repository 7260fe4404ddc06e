//! Renderers: the only code that formats results for people or programs.

pub mod scan_json;
pub mod scan_text;

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
    fn shapes_read_naturally() {
        assert_eq!(shape_text(&[2, 3]), "2×3");
        assert_eq!(shape_text(&[]), "()");
    }
}
