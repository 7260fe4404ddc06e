//! The files an output carries byte for byte (see [`crate::plan::inventory`]): copied when the
//! output is finalized, before verification, and compared by it.

use rayon::prelude::*;
use zarrs::storage::StoreKey;

use super::verify::Mismatch;
use crate::error::{Error, Result};
use crate::model::NodePath;
use crate::plan::inventory::StoredFile;
use crate::store::bounded::get_bounded;
use crate::store::{OpenedStore, TargetStore, located};

/// The bytes of `file` in `store`, `None` when it is not there; refused past its listed size
/// and 1 MiB (a file that grew since the plan is not read whole).
fn read(store: &OpenedStore, file: &StoredFile) -> Result<Option<Vec<u8>>> {
    let key = StoreKey::new(file.key.as_str())
        .map_err(|e| Error::storage(located(&store.location, &file.key), e))?;
    let max = file.bytes.saturating_add(1 << 20);
    get_bounded(store.storage.as_ref(), &key, max, store.is_remote())
        .map(|bytes| bytes.map(|b| b.to_vec()))
        .map_err(|e| Error::storage(located(&store.location, &file.key), e))
}

/// Copies every file of `carried` from `source` into `target`, in parallel.
///
/// # Errors
/// [`Error::Rechunk`] naming a file that is gone from the source or changed size since the plan
/// listed it; storage errors naming the file on the side at fault.
pub(crate) fn carry_files(
    carried: &[StoredFile],
    source: &OpenedStore,
    target: &TargetStore,
) -> Result<()> {
    carried.par_iter().try_for_each(|file| {
        let location = located(&source.location, &file.key);
        let bytes = read(source, file)?.ok_or_else(|| {
            Error::rechunk(&location, "gone from the source since the plan listed it")
        })?;
        if bytes.len() as u64 != file.bytes {
            return Err(Error::rechunk(
                &location,
                format!(
                    "changed since the plan listed it ({} bytes, then {})",
                    file.bytes,
                    bytes.len()
                ),
            ));
        }
        target.put(&file.key, bytes)
    })
}

/// The carried files of `source` that `output` does not hold byte for byte, as differences.
///
/// # Errors
/// Storage errors reading either side.
pub fn compare_carried(
    source: &OpenedStore,
    output: &OpenedStore,
    carried: &[StoredFile],
) -> Result<Vec<Mismatch>> {
    let mut found: Vec<Mismatch> = carried
        .par_iter()
        .map(|file| {
            let here = read(output, file)?;
            let what = match here {
                None => Some("file missing from the target".to_string()),
                Some(bytes) if read(source, file)?.as_deref() != Some(bytes.as_slice()) => {
                    Some(format!(
                        "file differs from the source's ({} bytes here, {} there)",
                        bytes.len(),
                        file.bytes
                    ))
                }
                Some(_) => None,
            };
            Ok(what.map(|message| Mismatch::new(&NodePath::new(&file.key), message)))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    found.sort();
    Ok(found)
}
