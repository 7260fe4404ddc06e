//! The journal of an output in progress: the plan, and which write groups are finished.
//!
//! ```text
//! TARGET/.zlint-rechunk/plan.json              the whole plan, written first
//! TARGET/.zlint-rechunk/done/part-I-of-N.log   "ARRAY GROUP" per finished write group
//! ```
//!
//! Each part appends to its own log only, under an exclusive lock held while it runs, so parts on
//! different machines never write the same file, and a part started twice at once is refused.
//! A line is written after the group's objects, and synced; a line cut short by a crash has no
//! newline and is ignored. Finished groups are the union of every log, whatever the split.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::plan::parts::Part;
use crate::plan::rechunk_plan::RechunkPlan;
use crate::store::atomic::write_atomic;

/// The journal directory inside an output in progress.
pub const JOURNAL_DIR: &str = ".zlint-rechunk";

const PLAN_FILE: &str = "plan.json";
const DONE_DIR: &str = "done";

/// The journal of one output in progress.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
}

/// One part's log of finished write groups, locked while the part runs.
#[derive(Debug)]
pub struct PartLog {
    path: PathBuf,
    file: Mutex<File>,
}

/// What must not change between the plan a journal holds and a run that continues it: every
/// array's output layout, metadata and write groups (not the paths, which may be mounted
/// elsewhere on another machine, nor the threads).
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
    /// Starts the journal of a new output in `target`, holding `plan`.
    ///
    /// # Errors
    /// [`Error::Io`] for unwritable files.
    pub fn create(target: &Path, plan: &RechunkPlan) -> Result<Self> {
        let dir = target.join(JOURNAL_DIR);
        let done = dir.join(DONE_DIR);
        if done.exists() {
            std::fs::remove_dir_all(&done).map_err(io(&done))?;
        }
        std::fs::create_dir_all(&done).map_err(io(&done))?;
        let file = dir.join(PLAN_FILE);
        let text = serde_json::to_vec(plan).map_err(|e| Error::Usage(e.to_string()))?;
        write_atomic(&file, &text, 0).map_err(io(&file))?;
        Ok(Self { dir })
    }

    /// The journal of an output in progress in `target`, if there is one.
    #[must_use]
    pub fn find(target: &Path) -> Option<Self> {
        let dir = target.join(JOURNAL_DIR);
        dir.join(PLAN_FILE).is_file().then_some(Self { dir })
    }

    /// The plan the output is being written to.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read, [`Error::Usage`] if it is not a plan of this version
    /// of zlint.
    pub fn plan(&self) -> Result<RechunkPlan> {
        let file = self.dir.join(PLAN_FILE);
        let text = std::fs::read(&file).map_err(io(&file))?;
        serde_json::from_slice(&text).map_err(|e| {
            Error::Usage(format!(
                "{}: not a plan this zlint can continue ({e}); start again with --overwrite",
                file.display()
            ))
        })
    }

    /// Checks that `plan` writes the same output as the plan in the journal.
    ///
    /// # Errors
    /// [`Error::Usage`] when it does not.
    pub fn check_same_plan(&self, plan: &RechunkPlan) -> Result<()> {
        if fingerprint(&self.plan()?) != fingerprint(plan) {
            return Err(Error::Usage(format!(
                "{}: the interrupted rechunk had another plan; resume with the same target options (--chunks, --shards, --auto, --format, --codec, --max-mem), or use --overwrite",
                self.dir.parent().unwrap_or(&self.dir).display()
            )));
        }
        Ok(())
    }

    /// Finished write groups of each of `arrays` arrays, from the logs of every part, and the
    /// part counts the logs were written with.
    ///
    /// # Errors
    /// [`Error::Io`] if a log cannot be read.
    pub fn finished(&self, arrays: usize) -> Result<(Vec<HashSet<u64>>, Vec<u64>)> {
        let mut done = vec![HashSet::new(); arrays];
        let mut counts = Vec::new();
        let dir = self.dir.join(DONE_DIR);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((done, counts)),
            Err(e) => return Err(io(&dir)(e)),
        };
        for entry in entries {
            let path = entry.map_err(io(&dir))?.path();
            let Some(count) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".log"))
                .and_then(|n| n.rsplit_once("-of-"))
                .and_then(|(_, n)| n.parse::<u64>().ok())
            else {
                continue;
            };
            if !counts.contains(&count) {
                counts.push(count);
            }
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            // Only whole lines: one cut short by a crash has no newline.
            let whole = text.rfind('\n').map_or("", |end| &text[..end]);
            for line in whole.lines() {
                let mut fields = line.split(' ');
                if let (Some(Ok(a)), Some(Ok(g))) = (
                    fields.next().map(str::parse::<usize>),
                    fields.next().map(str::parse::<u64>),
                ) && a < done.len()
                {
                    done[a].insert(g);
                }
            }
        }
        counts.sort_unstable();
        Ok((done, counts))
    }

    /// Opens the log of `part` for appending, locked until the returned log is dropped.
    ///
    /// # Errors
    /// [`Error::Usage`] when another process runs the same part, or when the part was started
    /// before and `resume` is not set; [`Error::Io`] for unwritable files.
    pub fn start_part(&self, part: Part, resume: bool) -> Result<PartLog> {
        let dir = self.dir.join(DONE_DIR);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("part-{}-of-{}.log", part.index, part.count));
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Usage(format!(
                    "part {part} is already running ({} is locked by another zlint process)",
                    path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        let started = file.metadata().map_err(io(&path))?.len() > 0;
        if started && !resume {
            return Err(Error::Usage(format!(
                "part {part} was started before ({} exists); re-run it with --resume",
                path.display()
            )));
        }
        Ok(PartLog {
            path,
            file: Mutex::new(file),
        })
    }

    /// Removes the journal: the output is complete.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be removed.
    pub fn finish(self) -> Result<()> {
        std::fs::remove_dir_all(&self.dir).map_err(io(&self.dir))
    }
}

impl PartLog {
    /// Records write group `group` of array `index` as finished (after its objects are written).
    ///
    /// # Errors
    /// [`Error::Io`] if the log cannot be written.
    pub fn record(&self, index: usize, group: u64) -> Result<()> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(file, "{index} {group}").map_err(io(&self.path))?;
        file.sync_data().map_err(io(&self.path))
    }
}
