//! The plan's check of a verification's memory, made before anything is written.

use super::rechunk_plan::{Budget, RechunkPlan};
use super::write_groups::{peak_bytes, plan_write_groups};
use crate::error::{Error, Param, Result};
use crate::model::product;
use crate::units::human_bytes;

impl RechunkPlan {
    /// Checks, before anything is written, that a verification within `budget` can hold what it
    /// compares: for every array, one block aligned to the source's chunks and the target's
    /// objects, once for each side (as [`crate::rechunk::verify`] reads them).
    ///
    /// # Errors
    /// [`Error::Usage`] naming the first array whose block does not fit, and the memory to ask
    /// for.
    pub fn check_verification(&self, budget: Budget) -> Result<()> {
        for array in &self.arrays {
            let object = array.target.object().to_vec();
            let fits = plan_write_groups(
                &array.shape,
                array.item_size,
                &array.source_chunks,
                &object,
                budget.max_mem_bytes / 2,
                budget.threads as u64,
            )
            .is_some();
            if !fits {
                let one = product(&object).saturating_mul(array.item_size);
                let needed = peak_bytes(
                    &object,
                    array.item_size,
                    &array.source_chunks,
                    &object,
                    1,
                    budget.threads as u64,
                )
                .saturating_mul(2);
                return Err(Error::Usage(format!(
                    "`{}`: {} compares one target object ({}) with the source chunks under it, \
                     once for each side, and {} cannot hold that; give {} or more (nothing was \
                     written)",
                    array.path,
                    Param::Verify,
                    human_bytes(one),
                    Param::MaxMem.with(human_bytes(budget.max_mem_bytes)),
                    Param::MaxMem.with(human_bytes(needed)),
                )));
            }
        }
        Ok(())
    }
}
