//! Label images and the image they belong to (OME-NGFF `labels`).

use super::{GroupInfo, Multiscale, Store};

impl Store {
    /// What differs between the label image `group` and its image's pyramid: the level count,
    /// and the extent of each spatial axis the two share at every level but the first (nothing
    /// when `group` is no label image). Asked by ZL207 and by the rechunk plan.
    #[must_use]
    pub fn label_pyramid_problems(&self, group: &GroupInfo) -> Vec<String> {
        let store = self;
        let is_label = super::ome_value(&group.attributes, "image-label").is_some();
        let image_path = group.path.parent().and_then(|labels| labels.parent());
        let (true, Some(image_path)) = (is_label, image_path) else {
            return Vec::new();
        };
        let (Some(label), Some(image)) = (
            group.multiscales.first(),
            store
                .group(&image_path)
                .and_then(|image| image.multiscales.first()),
        ) else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        if label.levels.len() != image.levels.len() {
            problems.push(format!(
                "the label image has {} levels where its image `{image_path}` has {}",
                label.levels.len(),
                image.levels.len()
            ));
        }
        // The first level is ZL503's.
        for (k, (label_level, image_level)) in
            label.levels.iter().zip(&image.levels).enumerate().skip(1)
        {
            let (Some(l), Some(i)) = (
                store.array(&label_level.path),
                store.array(&image_level.path),
            ) else {
                continue;
            };
            for (axis, extent) in spatial(label).zip(&l.shape) {
                let Some(image_extent) = position(image, axis).and_then(|p| i.shape.get(p)) else {
                    continue;
                };
                if image_extent != extent {
                    problems.push(format!(
                    "level {k} of the label image spans {extent} along `{axis}` where level {k} of its image spans {image_extent}"
                ));
                }
            }
        }
        problems
    }
}

/// The names of `multiscale`'s axes, with `None` for those that are not spatial.
fn spatial(multiscale: &Multiscale) -> impl Iterator<Item = &str> {
    multiscale.axes.iter().map(|a| {
        if a.axis_type.as_deref() == Some("space") {
            a.name.as_str()
        } else {
            ""
        }
    })
}

/// The index of the axis named `name` in `multiscale` (none for the empty name).
fn position(multiscale: &Multiscale, name: &str) -> Option<usize> {
    (!name.is_empty())
        .then(|| multiscale.axes.iter().position(|a| a.name == name))
        .flatten()
}
