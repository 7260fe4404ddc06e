//! `zlint scan`: the scan as a table, one row per node, indented as a tree.

use std::io::Write;

use super::{human_bytes, plural, shape_text};
use crate::model::{ArrayInfo, GroupInfo, Store};
use crate::units::printable;

enum Row<'a> {
    Array(&'a ArrayInfo),
    Group(&'a GroupInfo),
}

impl Row<'_> {
    fn path(&self) -> &crate::model::NodePath {
        match self {
            Row::Array(a) => &a.path,
            Row::Group(g) => &g.path,
        }
    }
}

fn group_note(g: &GroupInfo) -> String {
    let mut notes = Vec::new();
    if g.implicit {
        notes.push("implicit group".to_string());
    } else {
        notes.push("group".to_string());
    }
    for ms in &g.multiscales {
        let kind = match (ms.version.as_deref(), g.format) {
            // An n5-viewer or BigDataViewer pyramid (see `scan::ome`).
            (None, crate::model::Format::N5) => "N5 pyramid".to_string(),
            (version, _) => format!("OME-NGFF {} multiscale", version.unwrap_or("?")),
        };
        let axes: String = ms.axes.iter().map(|a| a.name.as_str()).collect();
        let missing = ms.levels.iter().filter(|l| !l.found).count();
        let mut note = format!("{kind}, {}", plural(ms.levels.len(), "level"));
        if !axes.is_empty() {
            note.push_str(&format!(", axes {axes}"));
        }
        if missing > 0 {
            note.push_str(&format!(" ({missing} missing)"));
        }
        notes.push(note);
    }
    if let Some(c) = &g.consolidated {
        notes.push(format!(
            "consolidated ({}, {})",
            c.kind,
            plural(c.entries, "node")
        ));
    }
    notes.join("; ")
}

/// Writes the scan of `store` as a table. Deep-scan columns appear when arrays carry them.
///
/// # Errors
/// Any error writing to `out`.
pub fn write(store: &Store, out: &mut dyn Write) -> std::io::Result<()> {
    let deep = store.arrays.iter().any(|a| a.stored.is_some());
    let mut rows: Vec<Row<'_>> = store
        .arrays
        .iter()
        .map(Row::Array)
        .chain(store.groups.iter().map(Row::Group))
        .collect();
    rows.sort_by(|a, b| a.path().cmp(b.path()));

    let mut header = vec![
        "PATH",
        "FORMAT",
        "SHAPE",
        "DTYPE",
        "CHUNKS",
        "SHARDS",
        "CHUNK SIZE",
        "NCHUNKS",
        "CODECS",
    ];
    if deep {
        header.extend(["STORED", "MISSING", "BYTES", "RATIO"]);
    }
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| (*s).to_string()).collect()];
    // Names, data types and codec ids come from the store: no control character from them
    // reaches the terminal.
    table.extend(rows.iter().map(|row| {
        cells(row)
            .iter()
            .map(|c| printable(c).into_owned())
            .collect()
    }));
    write_aligned(&table, out)?;
    writeln!(
        out,
        "\n{}: {}, {}{}",
        printable(&store.location),
        plural(store.arrays.len(), "array"),
        plural(store.groups.len(), "group"),
        match store.errors.len() {
            0 => String::new(),
            1 => ", 1 unreadable node".to_string(),
            n => format!(", {n} unreadable nodes"),
        }
    )?;
    for line in unlisted_notes(store) {
        writeln!(out, "{}", printable(&line))?;
    }
    Ok(())
}

/// The cells of one row: a group's name, format and note; an array's layout, and what a deep
/// scan found.
fn cells(row: &Row<'_>) -> Vec<String> {
    let depth = row.path().depth();
    let name = if row.path().is_root() {
        "/".to_string()
    } else {
        format!(
            "{}{}",
            "  ".repeat(depth.saturating_sub(1)),
            row.path().name()
        )
    };
    match row {
        Row::Group(g) => vec![name, g.format.to_string(), group_note(g)],
        Row::Array(a) => {
            let mut cells = vec![
                name,
                a.format.to_string(),
                shape_text(&a.shape),
                a.dtype.name.clone(),
                shape_text(&a.chunk_shape),
                a.shard_shape.as_deref().map_or("-".into(), shape_text),
                a.chunk_bytes().map_or("?".into(), human_bytes),
                a.chunk_count().to_string(),
                codecs_text(a),
            ];
            if let Some(stored) = &a.stored {
                cells.extend([
                    stored.stored_objects.to_string(),
                    stored.missing_objects.to_string(),
                    human_bytes(stored.stored_bytes),
                    stored
                        .compression_ratio
                        .map_or("-".into(), |r| format!("{r:.2}")),
                ]);
            }
            cells
        }
    }
}

/// Writes `table` in columns two spaces apart, each as wide as its widest cell (a group's note,
/// its third cell, does not widen its column).
fn write_aligned(table: &[Vec<String>], out: &mut dyn Write) -> std::io::Result<()> {
    let columns = table.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            table
                .iter()
                .filter(|row| row.len() > 3 || c < 2)
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in table {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let last = c + 1 == row.len();
            line.push_str(cell);
            if !last {
                let pad = widths[c].saturating_sub(cell.chars().count()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Arrays named in a note, at most.
const NOTE_NAMES: usize = 5;

/// What a scan of a store that cannot be listed (a web server) could not see, one line each:
/// how its nodes were found, and what a deep scan checked.
#[must_use]
pub fn unlisted_notes(store: &Store) -> Vec<String> {
    let Some(unlisted) = &store.unlisted else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    let root_is_group = store.groups.iter().any(|g| g.path.is_root());
    if !unlisted.named.is_empty() {
        let by: Vec<String> = unlisted
            .counts()
            .iter()
            .map(|(by, n)| format!("{by} {n}"))
            .collect();
        notes.push(format!(
            "not listed: a web server cannot be listed; the {} below the root were found \
             through the metadata that names them ({}), and a node no metadata names is not \
             seen (--json names each node and what named it)",
            plural(unlisted.named.len(), "node"),
            by.join(", ")
        ));
    } else if root_is_group {
        notes.push(
            "not listed: a web server cannot be listed, and no metadata of this group names a \
             node below it (consolidated metadata, OME-NGFF metadata or N5 \
             `scales` would)"
                .to_string(),
        );
    }
    if unlisted.deep_by_head {
        notes.push(
            "deep scan: each chunk key asked for by a HEAD request; files that are no chunk key \
             are not seen"
                .to_string(),
        );
    }
    if !unlisted.unchecked_arrays.is_empty() {
        let n = unlisted.unchecked_arrays.len();
        let mut names: Vec<String> = unlisted
            .unchecked_arrays
            .iter()
            .take(NOTE_NAMES)
            .map(|path| path.as_str().to_string())
            .collect();
        if n > NOTE_NAMES {
            names.push(format!("and {} more", n - NOTE_NAMES));
        }
        notes.push(format!(
            "deep scan: {} not checked, as {} would take more HEAD requests than \
             ZLINT_MAX_HEAD_REQUESTS allows in all: {}",
            plural(n, "array"),
            if n == 1 {
                "its objects"
            } else {
                "their objects"
            },
            names.join(", ")
        ));
    }
    notes
}

fn codecs_text(a: &ArrayInfo) -> String {
    if a.codecs.is_empty() {
        return "-".to_string();
    }
    a.codecs
        .iter()
        .map(crate::model::Codec::summary)
        .collect::<Vec<_>>()
        .join(" ")
}
