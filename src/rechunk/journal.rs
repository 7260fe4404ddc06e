//! The journal of an output in progress: which write groups are finished, and for which plan.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::plan::rechunk_plan::RechunkPlan;

/// The journal directory inside an output in progress.
pub const JOURNAL_DIR: &str = ".zlint-rechunk";

/// Finished write groups, recorded one line each (`ARRAY GROUP`) and synced to disk.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    done: Vec<HashSet<u64>>,
    log: Mutex<File>,
}

/// What must not change between a run and its `--resume`: every array's output layout, metadata
/// and write groups.
fn fingerprint(plan: &RechunkPlan) -> Value {
    json!(
        plan.arrays
            .iter()
            .map(
                |a| json!({"path": a.path, "target": a.target, "metadata": a.target_metadata,
                        "groups": a.write_groups.group_shape})
            )
            .collect::<Vec<_>>()
    )
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Journal {
    /// Opens the journal in `target`; with `resume`, reads what an interrupted run of the same
    /// plan finished.
    ///
    /// # Errors
    /// [`Error::Usage`] when resuming a different plan; [`Error::Io`] for unwritable files.
    pub fn open(target: &Path, plan: &RechunkPlan, resume: bool) -> Result<Self> {
        let dir = target.join(JOURNAL_DIR);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let plan_file = dir.join("plan.json");
        let log_file = dir.join("done.log");
        let mut done = vec![HashSet::new(); plan.arrays.len()];
        let expected = fingerprint(plan);
        if resume && plan_file.exists() {
            let text = std::fs::read_to_string(&plan_file).map_err(io(&plan_file))?;
            let recorded: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if recorded != expected {
                return Err(Error::Usage(format!(
                    "{}: the interrupted rechunk had another plan; resume with the same target options (--chunks, --shards, --auto, --format, --codec, --max-mem, -j), or use --overwrite",
                    target.display()
                )));
            }
            if let Ok(file) = File::open(&log_file) {
                for line in BufReader::new(file).lines() {
                    let line = line.map_err(io(&log_file))?;
                    // A line cut short by a crash has no newline and fails to parse: ignored.
                    let mut parts = line.split(' ');
                    if let (Some(Ok(a)), Some(Ok(g))) = (
                        parts.next().map(str::parse::<usize>),
                        parts.next().map(str::parse::<u64>),
                    ) && a < done.len()
                    {
                        done[a].insert(g);
                    }
                }
            }
        } else {
            let text = serde_json::to_vec(&expected).map_err(|e| Error::Usage(e.to_string()))?;
            std::fs::write(&plan_file, text).map_err(io(&plan_file))?;
            let _ = std::fs::remove_file(&log_file);
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_file)
            .map_err(io(&log_file))?;
        Ok(Self {
            dir,
            done,
            log: Mutex::new(log),
        })
    }

    /// Write groups of array `index` finished by an earlier run.
    #[must_use]
    pub fn done(&self, index: usize) -> HashSet<u64> {
        self.done.get(index).cloned().unwrap_or_default()
    }

    /// Records write group `group` of array `index` as finished (after its objects are written).
    ///
    /// # Errors
    /// [`Error::Io`] if the journal cannot be written.
    pub fn record(&self, index: usize, group: u64) -> Result<()> {
        let path = self.dir.join("done.log");
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(log, "{index} {group}").map_err(io(&path))?;
        log.sync_data().map_err(io(&path))
    }

    /// Removes the journal: the output is complete.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be removed.
    pub fn finish(self) -> Result<()> {
        drop(self.log);
        std::fs::remove_dir_all(&self.dir).map_err(io(&self.dir))
    }
}
