//! The journal of an output in progress: the plan, and which write groups are finished.
//!
//! ```text
//! TARGET/.zlint-rechunk/plan.json              the whole plan, written first
//! TARGET/.zlint-rechunk/done/part-I-of-N.log   "ARRAY GROUP" per finished write group
//! ```
//!
//! Each part writes its own log only, so parts on different machines never write the same
//! object. On a filesystem the log is appended to and synced after each group, under an exclusive
//! lock held while the part runs, so a part started twice at once is refused; a line cut short by
//! a crash has no newline and is ignored. On an object store (no appends, no locks) the part
//! holds a lease instead (see [`super::lease`]) and rewrites its whole log object after each
//! group. Finished groups are the union of every log, whatever the split.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::lease::Lease;
use crate::error::{Error, Param, Result};
use crate::plan::parts::Part;
use crate::plan::rechunk_plan::RechunkPlan;
use crate::store::Fingerprint;
use crate::store::TargetStore;
use crate::store::atomic::refuse_link;

/// The journal directory inside an output in progress.
pub const JOURNAL_DIR: &str = ".zlint-rechunk";

const PLAN_KEY: &str = ".zlint-rechunk/plan.json";
const DONE_PREFIX: &str = ".zlint-rechunk/done/";
/// The source's fingerprint when the output was started (see [`crate::store::fingerprint`]).
const SOURCE_KEY: &str = ".zlint-rechunk/source.txt";

/// The journal of one output in progress.
#[derive(Debug)]
pub struct Journal<'a> {
    target: &'a TargetStore,
    /// The plan as stored (read once: on an object store every read is a request).
    plan: Vec<u8>,
}

/// One part's log of finished write groups.
#[derive(Debug)]
pub struct PartLog<'a> {
    target: &'a TargetStore,
    key: String,
    sink: Mutex<Sink>,
    /// On an object store: the part's lease, held while it runs.
    lease: Option<Lease>,
}

#[derive(Debug)]
enum Sink {
    /// A locked file, appended to.
    File { file: File, path: PathBuf },
    /// The whole log, rewritten as one object after each record.
    Object { text: String },
}

/// What must not change between the plan a journal holds and a run that continues it: every
/// array's output layout and metadata, and the memory budget. Not the locations, which may be
/// mounted elsewhere on another machine, nor the threads: the write groups they shaped are the
/// journal's, which a continuing run adopts (see [`Journal::plan_to_continue`]).
fn fingerprint(plan: &RechunkPlan) -> Value {
    json!({
        "max_mem_bytes": plan.budget.max_mem_bytes,
        "arrays": plan
            .arrays
            .iter()
            .map(|a| json!({"path": a.path, "target": a.target, "metadata": a.target_metadata}))
            .collect::<Vec<_>>()
    })
}

fn io(path: PathBuf) -> impl Fn(std::io::Error) -> Error {
    move |source| Error::Io {
        path: path.clone(),
        source,
    }
}

/// The part count in a log key `…/part-I-of-N.log`.
fn part_count(key: &str) -> Option<u64> {
    key.strip_suffix(".log")?
        .rsplit_once("-of-")?
        .1
        .parse()
        .ok()
}

/// The journal folder of a directory target must be a folder, not a link to one elsewhere.
fn refuse_journal_link(target: &TargetStore) -> Result<()> {
    let Some(dir) = &target.dir else {
        return Ok(());
    };
    let journal = dir.join(JOURNAL_DIR);
    refuse_link(&journal).map_err(|source| Error::Io {
        path: journal,
        source,
    })
}

impl<'a> Journal<'a> {
    /// Starts the journal of a new output in `target`, holding `plan` (any earlier logs go).
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Storage`] for unwritable objects.
    pub fn create(target: &'a TargetStore, plan: &RechunkPlan) -> Result<Self> {
        refuse_journal_link(target)?;
        for key in target.list(DONE_PREFIX)? {
            target.erase(&key)?;
        }
        let text = serde_json::to_vec(plan)
            .map_err(|e| Error::rechunk(target.key_location(PLAN_KEY), e))?;
        target.put(PLAN_KEY, text.clone())?;
        Ok(Self { target, plan: text })
    }

    /// The journal of an output in progress in `target`, if there is one.
    ///
    /// # Errors
    /// [`Error::Storage`] when the target cannot be read.
    pub fn find(target: &'a TargetStore) -> Result<Option<Self>> {
        refuse_journal_link(target)?;
        Ok(target.get(PLAN_KEY)?.map(|plan| Self { target, plan }))
    }

    /// The journal of `target` whose stored plan was read before ([`Self::into_stored`]).
    pub(crate) fn from_stored(target: &'a TargetStore, plan: Vec<u8>) -> Self {
        Self { target, plan }
    }

    /// The plan as stored, for [`Self::from_stored`].
    pub(crate) fn into_stored(self) -> Vec<u8> {
        self.plan
    }

    /// Records the source's fingerprint as the output starts.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Storage`] for an unwritable object.
    pub(crate) fn record_source(&self, fingerprint: Fingerprint) -> Result<()> {
        self.target
            .put(SOURCE_KEY, fingerprint.to_string().into_bytes())
    }

    /// Checks that the source at `location` still has (`now`) the fingerprint recorded as the
    /// output started. Journals without a record (older zlint) pass.
    ///
    /// # Errors
    /// [`Error::Usage`] when the source changed, saying how.
    pub(crate) fn check_source(&self, now: Fingerprint, location: &str) -> Result<()> {
        let Some(text) = self.target.get(SOURCE_KEY)? else {
            return Ok(());
        };
        let Some(then) = Fingerprint::parse(&String::from_utf8_lossy(&text)) else {
            return Ok(());
        };
        if then == now {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "{location}: the source changed since the output was started ({} objects of {} bytes then, {} of {} now, or \
             modified in place); the output would mix both: start again with {}",
            then.objects,
            then.bytes,
            now.objects,
            now.bytes,
            Param::Overwrite
        )))
    }

    /// The plan the output is being written to.
    ///
    /// # Errors
    /// [`Error::Usage`] if it is not a plan of this version of zlint.
    pub fn plan(&self) -> Result<RechunkPlan> {
        serde_json::from_slice(&self.plan).map_err(|e| {
            Error::refused(
                self.target.key_location(PLAN_KEY),
                format!(
                    "not a plan this zlint can continue ({e}); start again with {}",
                    Param::Overwrite,
                ),
            )
        })
    }

    /// The plan to continue the output with, in place of `plan` (which must write the same
    /// output, see [`Journal::check_same_plan`]): the journal's, whose write groups its logs
    /// count, with `plan`'s locations and as many of `plan`'s threads as its budget holds.
    ///
    /// # Errors
    /// As [`Journal::plan`].
    pub fn plan_to_continue(&self, plan: &RechunkPlan) -> Result<RechunkPlan> {
        Ok(self
            .plan()?
            .continued(&plan.source, &plan.target, plan.budget.threads))
    }

    /// Checks that `plan` writes the same output as the plan in the journal.
    ///
    /// # Errors
    /// [`Error::Usage`] when it does not.
    pub fn check_same_plan(&self, plan: &RechunkPlan) -> Result<()> {
        if fingerprint(&self.plan()?) != fingerprint(plan) {
            return Err(Error::refused(
                &self.target.location,
                format!(
                    "the interrupted rechunk had another plan; resume with the same target \
                 options ({}, {}, {}, {}, {}, {}; {} may differ), or use {}",
                    Param::Chunks,
                    Param::Shards,
                    Param::Auto,
                    Param::To,
                    Param::Codec,
                    Param::MaxMem,
                    Param::Threads,
                    Param::Overwrite,
                ),
            ));
        }
        Ok(())
    }

    /// Finished write groups of each of `arrays` arrays, from the logs of every part, and the
    /// part counts the logs were written with.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Storage`] if a log cannot be read.
    pub fn finished(&self, arrays: usize) -> Result<(Vec<HashSet<u64>>, Vec<u64>)> {
        let mut done = vec![HashSet::new(); arrays];
        let mut counts = Vec::new();
        for key in self.target.list(DONE_PREFIX)? {
            let Some(count) = part_count(&key) else {
                continue;
            };
            if !counts.contains(&count) {
                counts.push(count);
            }
            let bytes = self.target.get(&key)?.unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
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

    /// Opens the log of `part` (locked until dropped, on a filesystem).
    ///
    /// # Errors
    /// [`Error::Usage`] when another process runs the same part, or when the part was started
    /// before and `resume` is not set; [`Error::Io`] or [`Error::Storage`] for unwritable logs.
    pub fn start_part(&self, part: Part, resume: bool) -> Result<PartLog<'a>> {
        let key = format!("{DONE_PREFIX}part-{}-of-{}.log", part.index, part.count);
        let started_before = |started: bool| -> Result<()> {
            if started && !resume {
                return Err(Error::Usage(format!(
                    "part {part} was started before ({} exists); re-run it with {}",
                    self.target.key_location(&key),
                    Param::ResumePart
                )));
            }
            Ok(())
        };
        let mut lease = None;
        let sink = if let Some(dir) = &self.target.dir {
            let path = dir.join(&key);
            let parent = path.parent().map(PathBuf::from).unwrap_or_default();
            std::fs::create_dir_all(&parent).map_err(io(parent.clone()))?;
            for own in [&parent, &path] {
                refuse_link(own).map_err(io(own.clone()))?;
            }
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(io(path.clone()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Usage(format!(
                        "part {part} is already running ({} is locked by another zlint process)",
                        path.display()
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(path)(e)),
            }
            started_before(file.metadata().map_err(io(path.clone()))?.len() > 0)?;
            Sink::File { file, path }
        } else {
            if let Some(remote) = &self.target.remote {
                let lock = format!("{DONE_PREFIX}part-{}-of-{}.lock", part.index, part.count);
                lease = Some(Lease::acquire(remote.clone(), lock, part)?);
            }
            let text = self.target.get(&key)?.unwrap_or_default();
            started_before(!text.is_empty())?;
            Sink::Object {
                text: String::from_utf8_lossy(&text).into_owned(),
            }
        };
        Ok(PartLog {
            target: self.target,
            key,
            sink: Mutex::new(sink),
            lease,
        })
    }

    /// Removes the journal: the output is complete.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Storage`] if it cannot be removed.
    pub fn finish(self) -> Result<()> {
        if let Some(dir) = &self.target.dir {
            let journal = dir.join(JOURNAL_DIR);
            return std::fs::remove_dir_all(&journal).map_err(io(journal));
        }
        for key in self.target.list(&format!("{JOURNAL_DIR}/"))? {
            if key != PLAN_KEY {
                self.target.erase(&key)?;
            }
        }
        // The plan last: while it exists, the output is still in progress.
        self.target.erase(PLAN_KEY)
    }
}

impl PartLog<'_> {
    /// Records write group `group` of array `index` as finished (after its objects are written).
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Storage`] if the log cannot be written.
    pub fn record(&self, index: usize, group: u64) -> Result<()> {
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *sink {
            Sink::File { file, path } => {
                writeln!(file, "{index} {group}").map_err(io(path.clone()))?;
                file.sync_data().map_err(io(path.clone()))
            }
            Sink::Object { text } => {
                if let Some(lease) = &self.lease {
                    lease.check()?;
                }
                text.push_str(&format!("{index} {group}\n"));
                self.target.put(&self.key, text.clone().into_bytes())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Budget, ShapeRequests, Targets};
    use crate::progress::NoProgress;
    use crate::scan::{ScanOptions, scan};

    fn plan_of(source: &str, chunks: &str, target: &str) -> RechunkPlan {
        let opened = crate::store::open(source).expect("open");
        let found = scan(&opened, ScanOptions::default(), &NoProgress).expect("scan");
        let targets = Targets {
            chunks: ShapeRequests::parse(Param::Chunks, &[chunks.to_string()]).expect("chunks"),
            shards: ShapeRequests::default(),
            auto: false,
            profile: crate::profile::Profile::Analysis,
            access: crate::profile::Access::Auto,
            format: None,
            codec: None,
            two_pass: false,
            exclude: Vec::new(),
        };
        let budget = Budget {
            max_mem_bytes: 1 << 30,
            threads: 2,
        };
        RechunkPlan::build(&found, target.to_string(), &targets, budget).expect("plan")
    }

    #[test]
    fn a_journal_keeps_its_plan_and_the_groups_every_part_finished() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.zarr");
        let target = TargetStore::open(out.to_str().expect("utf-8")).expect("target");
        let plan = plan_of(
            "fixtures/zarr3/plain.zarr",
            "8,8",
            out.to_str().expect("utf-8"),
        );
        assert!(Journal::find(&target).expect("find").is_none());
        let journal = Journal::create(&target, &plan).expect("create");
        assert_eq!(journal.plan().expect("plan"), plan);
        journal.check_same_plan(&plan).expect("same plan");
        let other = plan_of(
            "fixtures/zarr3/plain.zarr",
            "4,4",
            out.to_str().expect("utf-8"),
        );
        let err = journal.check_same_plan(&other).expect_err("another plan");
        assert!(err.to_string().contains("another plan"), "{err}");

        let first = Part::parse("0/2").expect("part");
        let log = journal.start_part(first, false).expect("part 1");
        log.record(0, 3).expect("record");
        log.record(0, 5).expect("record");
        // The same part cannot run twice at once.
        let again = journal.start_part(first, true).expect_err("locked");
        assert!(again.to_string().contains("already running"), "{again}");
        drop(log);
        // Started before: only with --resume.
        let err = journal.start_part(first, false).expect_err("started");
        assert!(err.to_string().contains("`resume_part`"), "{err}");
        let second = journal
            .start_part(Part::parse("1/2").expect("part"), false)
            .expect("part 2");
        second.record(0, 7).expect("record");
        drop(second);
        // A line cut short by a crash does not count.
        let log_path = out.join(".zlint-rechunk/done/part-1-of-2.log");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&log_path)
            .expect("log");
        file.write_all(b"0 9").expect("partial line");

        let found = Journal::find(&target).expect("find").expect("in progress");
        let (done, counts) = found.finished(1).expect("finished");
        let mut groups: Vec<u64> = done[0].iter().copied().collect();
        groups.sort_unstable();
        assert_eq!(groups, [3, 5, 7]);
        assert_eq!(counts, [2]);
        found.finish().expect("finish");
        assert!(!out.join(JOURNAL_DIR).exists());
    }

    #[test]
    fn part_counts_come_from_log_names() {
        assert_eq!(part_count(".zlint-rechunk/done/part-3-of-8.log"), Some(8));
        assert_eq!(part_count(".zlint-rechunk/done/part-3-of-8.lock"), None);
    }
}
