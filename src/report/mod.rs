//! Renderers: the only code that formats results for people or programs.

pub mod github;
pub mod lint_json;
pub mod lint_text;
pub mod sarif;
pub mod scan_json;
pub mod scan_text;

pub use crate::units::human_bytes;

/// `1 array`, `3 arrays`: a count with its noun.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_read_naturally() {
        assert_eq!(shape_text(&[2, 3]), "2×3");
        assert_eq!(shape_text(&[]), "()");
    }
}
