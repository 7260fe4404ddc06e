//! The rechunk plan as the `--dry-run` text.

use std::fmt;

use crate::plan::inventory::Inventory;
use crate::plan::rechunk_plan::{ArrayPlan, RechunkPlan};
use crate::units::{human_bytes, plural, printable_lines, shape_text};

impl fmt::Display for RechunkPlan {
    /// The plan's text, control characters of the names in it escaped (see
    /// [`crate::units::printable_lines`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable_lines(&Text(self).to_string()))
    }
}

/// The plan's text as written, before escaping.
struct Text<'a>(&'a RechunkPlan);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = self.0;
        writeln!(
            f,
            "rechunk {} -> {} ({}, {}; --max-mem {}, {})",
            plan.source,
            plan.target,
            plural(plan.arrays.len(), "array"),
            plural(plan.groups.len(), "group"),
            human_bytes(plan.budget.max_mem_bytes),
            plural(plan.budget.threads, "thread")
        )?;
        if !plan.arrays.is_empty()
            && plan.arrays.iter().all(|a| a.unchanged())
            && plan.groups.iter().all(|g| g.notes.is_empty())
        {
            writeln!(
                f,
                "no change: every array keeps its format, layout and codecs (the output would be a copy)"
            )?;
        }
        for a in &plan.arrays {
            array(f, a)?;
        }
        for a in &plan.carried_arrays {
            writeln!(
                f,
                "\n{}: carried over unchanged (metadata and stored objects as they are): zlint cannot \
                 decode it: {}",
                a.path, a.why
            )?;
        }
        for g in plan.groups.iter().filter(|g| !g.notes.is_empty()) {
            let name = if g.path.is_root() {
                "/".to_string()
            } else {
                g.path.to_string()
            };
            writeln!(f, "\n{name}: group")?;
            for note in &g.notes {
                writeln!(f, "  note: {note}")?;
            }
        }
        inventory(f, &plan.inventory)
    }
}

/// One array's part of the plan: its layout before and after, the write groups, and how its
/// chunks are read.
fn array(f: &mut fmt::Formatter<'_>, a: &ArrayPlan) -> fmt::Result {
    let name = if a.path.is_root() {
        "/".to_string()
    } else {
        a.path.to_string()
    };
    let shards = |s: &Option<Vec<u64>>| {
        s.as_ref()
            .map(|s| format!(" in shards {}", shape_text(s)))
            .unwrap_or_default()
    };
    writeln!(
        f,
        "\n{name}: {} {} {}",
        shape_text(&a.shape),
        a.dtype,
        human_bytes(a.bytes_written)
    )?;
    writeln!(
        f,
        "  source  {} chunks {}{} ({})",
        a.source_format,
        shape_text(&a.source_chunks),
        shards(&a.source_shards),
        plural(a.objects_before as usize, "object")
    )?;
    writeln!(
        f,
        "  target  {} chunks {}{} ({}){}",
        a.target_format,
        shape_text(&a.target.chunks),
        shards(&a.target.shards),
        plural(a.objects_after as usize, "object"),
        if a.unchanged() { ", unchanged" } else { "" }
    )?;
    let g = &a.write_groups;
    writeln!(
        f,
        "  write groups  {} of {} ({}), {} at once, peak memory {}",
        g.count,
        shape_text(&g.group_shape),
        human_bytes(g.group_bytes),
        a.concurrent_groups,
        human_bytes(a.peak_memory_bytes)
    )?;
    write!(
        f,
        "  read {} (amplification {:.2}), write {}",
        human_bytes(a.bytes_read),
        g.read_amplification,
        human_bytes(a.bytes_written)
    )?;
    if let Some(pass) = &a.intermediate {
        writeln!(
            f,
            "; in two passes through {} intermediate chunks {} ({} groups of {} first), each chunk decoded once per pass",
            if pass.compressed() { "LZ4" } else { "raw" },
            shape_text(&pass.chunks),
            pass.write_groups.count,
            shape_text(&pass.write_groups.group_shape)
        )?;
    } else if a.repack {
        writeln!(
            f,
            "; encoded chunks copied as they are (no decoding or encoding)"
        )?;
    } else if g.aligned {
        writeln!(f, "; each source chunk decoded once")?;
    } else {
        writeln!(
            f,
            "; groups aligned to both grids do not fit --max-mem, so source chunks straddling target objects are decoded {:.2}× on average",
            g.read_amplification
        )?;
    }
    for note in &a.notes {
        writeln!(f, "  note: {note}")?;
    }
    Ok(())
}

/// Files listed one by one before the rest are counted (`--json` lists them all).
const FILES_SHOWN: usize = 20;

/// The inventory's other files: counts and bytes, then the files by name.
fn inventory(f: &mut fmt::Formatter<'_>, inventory: &Inventory) -> fmt::Result {
    if !inventory.listed {
        return writeln!(
            f,
            "\nother files: the source cannot be listed, so only the files its metadata names are \
             known; no other file is carried"
        );
    }
    writeln!(
        f,
        "\nother files: {} carried byte for byte ({}), {} dropped ({}); {} of arrays rewritten, \
         {} translated",
        plural(inventory.carried.len(), "file"),
        human_bytes(inventory.carried_bytes()),
        plural(inventory.dropped.len(), "file"),
        human_bytes(inventory.dropped_bytes()),
        plural(
            usize::try_from(inventory.chunk_objects).unwrap_or(usize::MAX),
            "stored object"
        ),
        plural(
            usize::try_from(inventory.metadata_documents).unwrap_or(usize::MAX),
            "metadata document"
        ),
    )?;
    let lines = inventory
        .carried
        .iter()
        .map(|c| format!("  carry  {} ({})", c.key, human_bytes(c.bytes)))
        .chain(
            inventory
                .dropped
                .iter()
                .map(|d| format!("  drop   {} ({}): {}", d.key, human_bytes(d.bytes), d.why)),
        );
    let total = inventory.carried.len() + inventory.dropped.len();
    for line in lines.take(FILES_SHOWN) {
        writeln!(f, "{line}")?;
    }
    if total > FILES_SHOWN {
        writeln!(
            f,
            "  … and {} more (--json lists them all)",
            total - FILES_SHOWN
        )?;
    }
    Ok(())
}
