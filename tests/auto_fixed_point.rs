//! `rechunk --auto` is a fixed point for multiscale pyramids (issue 15): the layouts it plans
//! for every level draw no warning or error from any rule under the same profile and access
//! pattern, and planning `--auto` again on them changes nothing. Checked over generated
//! pyramids: levels, shapes, data types, axes and starting chunks.

mod common;

use common::{ACCESSES, PROFILES};
use proptest::prelude::*;
use serde_json::{Map, Value};
use zlint::layout::Layout;
use zlint::lint::rule::Severity;
use zlint::lint::{Settings, lint};
use zlint::model::{
    ArrayInfo, Axis, ChunkKeyEncoding, DataType, Format, GroupInfo, Multiscale, MultiscaleLevel,
    NodePath, Store,
};
use zlint::plan::request::{ShapeRequests, Targets};
use zlint::plan::target_layouts;
use zlint::profile::{Access, Profile};

fn level(path: &str, shape: Vec<u64>, chunks: Vec<u64>, item: u64, axes: &[Axis]) -> ArrayInfo {
    ArrayInfo {
        path: NodePath::new(path),
        format: Format::Zarr3,
        shape,
        dtype: DataType {
            name: format!("uint{}", item * 8),
            item_size: Some(item),
        },
        native_dtype: String::new(),
        chunk_shape: chunks,
        shard_shape: None,
        codecs: vec![],
        fill_value: Value::from(0),
        dimension_names: Some(axes.iter().map(|a| Some(a.name.clone())).collect()),
        axes: Some(axes.to_vec()),
        chunk_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
        attributes: Map::new(),
        stored: None,
        metadata: zarrs::storage::Bytes::new(),
    }
}

/// An OME-Zarr image: levels `0`, `1`, … halving the spatial axes, all chunked `chunks`.
fn pyramid(base: &[u64], names: &[&str], levels: usize, item: u64, chunks: &[u64]) -> Store {
    let axes: Vec<Axis> = names
        .iter()
        .map(|n| Axis {
            name: (*n).to_string(),
            axis_type: Some(match *n {
                "t" => "time".to_string(),
                "c" => "channel".to_string(),
                _ => "space".to_string(),
            }),
            unit: None,
        })
        .collect();
    let mut arrays = Vec::new();
    let mut multiscale_levels = Vec::new();
    let mut shape = base.to_vec();
    for i in 0..levels {
        let path = i.to_string();
        arrays.push(level(&path, shape.clone(), chunks.to_vec(), item, &axes));
        multiscale_levels.push(MultiscaleLevel {
            dataset_path: path.clone(),
            path: NodePath::new(&path),
            scale: None,
            translation: None,
            factors: None,
            found: true,
        });
        shape = shape
            .iter()
            .zip(names)
            .map(|(&s, n)| {
                if matches!(*n, "t" | "c") {
                    s
                } else {
                    s.div_ceil(2)
                }
            })
            .collect();
    }
    Store {
        arrays,
        groups: vec![GroupInfo {
            path: NodePath::root(),
            format: Format::Zarr3,
            implicit: false,
            attributes: Map::new(),
            multiscales: vec![Multiscale {
                version: Some("0.5".into()),
                name: None,
                axes,
                levels: multiscale_levels,
            }],
            consolidated: None,
        }],
        ..Store::default()
    }
}

fn auto(profile: Profile, access: Access) -> Targets {
    Targets {
        chunks: ShapeRequests::default(),
        shards: ShapeRequests::default(),
        auto: true,
        profile,
        access,
        format: Some(Format::Zarr3),
        codec: None,
        two_pass: true,
        exclude: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]
    #[test]
    fn auto_layouts_of_pyramids_lint_clean_and_stay(
        // Images up to 60,000 per spatial axis (up to 1.7 PB): ZL302 (files in one directory)
        // and ZL104 (chunks in one array) are weighed by the planner too.
        spatial in prop::collection::vec(64u64..60000, 2..4),
        leading in prop::sample::select(vec![vec![], vec!["c"], vec!["t", "c"]]),
        leading_sizes in prop::collection::vec(1u64..6, 2),
        levels in 2usize..6,
        item in prop::sample::select(vec![1u64, 2, 4]),
        seed in prop::collection::vec(1u64..1024, 5),
        profile in prop::sample::select(PROFILES.to_vec()),
        access in prop::sample::select(ACCESSES.to_vec()),
    ) {
        let space_names = ["z", "y", "x"];
        let mut names: Vec<&str> = leading.clone();
        names.extend(&space_names[3 - spatial.len()..]);
        let mut base: Vec<u64> = leading_sizes[..leading.len()].to_vec();
        base.extend(&spatial);
        let chunks: Vec<u64> = base.iter().zip(&seed).map(|(&s, &c)| c.min(s)).collect();
        let store = pyramid(&base, &names, levels, item, &chunks);
        let targets = auto(profile, access);
        let planned = target_layouts(&store, &targets).expect("plans");

        let mut rewritten = store.clone();
        for (array, layout) in rewritten.arrays.iter_mut().zip(&planned) {
            array.chunk_shape = layout.chunks.clone();
            array.shard_shape = layout.shards.clone();
        }
        let mut settings = Settings::for_profile(profile);
        settings.access = access;
        // ZL104 may remain where only chunks at the read-unit ceiling, packed without padding,
        // would be few enough (the planner's documented bound).
        let t = &settings.thresholds;
        let array_bytes = base.iter().product::<u64>() * item;
        let zl104_unavoidable = array_bytes / t.chunk_max_bytes >= t.max_chunks / 2;
        let loud: Vec<String> = lint(&rewritten, &settings)
            .findings
            .iter()
            // ZL301 is about compression, which --auto leaves as it is (these arrays have none).
            .filter(|d| d.severity >= Severity::Warning && d.rule != "ZL301")
            .filter(|d| !(d.rule == "ZL104" && zl104_unavoidable))
            .map(|d| format!("{} {} {}", d.rule, d.path, d.message))
            .collect();
        prop_assert!(loud.is_empty(), "{profile:?} {access:?} item {item} {names:?} {base:?}: {planned:?}: {loud:?}");

        let again: Vec<Layout> = target_layouts(&rewritten, &targets).expect("plans");
        prop_assert_eq!(again, planned);
    }
}
