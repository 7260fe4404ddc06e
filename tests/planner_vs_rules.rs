//! The planner and the rules agree, for every profile and access pattern and at every severity:
//! the planner accepts a layout exactly when the layout rules find nothing in it (and the count
//! rules no warning), and every layout it recommends is one it accepts. Arrays beyond the size
//! at which ZL104 cannot be avoided (`max-chunks` × `chunk-max-bytes` / 2, see
//! `plan::recommend`) are left out.

mod common;

use common::{ACCESSES, PROFILES};
use proptest::prelude::*;
use serde_json::{Map, Value};
use zlint::layout::{Layout, axis_roles};
use zlint::lint::{Settings, lint};
use zlint::model::{ArrayInfo, ChunkKeyEncoding, DataType, Format, NodePath, Store};
use zlint::plan::{LayoutRequest, is_acceptable, recommend};
use zlint::profile::{Access, Profile, Thresholds};

/// Rules about the layout of one array (the planner's concern).
const LAYOUT_RULES: &[&str] = &[
    "ZL101", "ZL102", "ZL103", "ZL106", "ZL107", "ZL201", "ZL203",
];

/// Rules on counts the planner also keeps below their warning: ZL104 (chunks in one array,
/// whose info level at 10,000 is advice for dask users, not a layout to avoid) and ZL302 (files
/// in one directory).
const COUNT_RULES: &[&str] = &["ZL104", "ZL302"];

/// Whether chunks of half the read-unit ceiling leave too many of them (ZL104 unavoidable).
fn zl104_unavoidable(shape: &[u64], item: u64, t: &Thresholds) -> bool {
    shape.iter().product::<u64>().saturating_mul(item) / t.chunk_max_bytes >= t.max_chunks / 2
}

/// The findings of the layout rules on one array at every severity, and of the count rules at
/// warning and above.
fn layout_findings(array: ArrayInfo, profile: Profile, access: Access) -> Vec<String> {
    let store = Store {
        arrays: vec![array],
        ..Store::default()
    };
    let mut settings = Settings::for_profile(profile);
    settings.access = access;
    settings.select = LAYOUT_RULES
        .iter()
        .chain(COUNT_RULES)
        .map(|r| (*r).to_string())
        .collect();
    lint(&store, &settings)
        .findings
        .iter()
        .filter(|d| {
            !COUNT_RULES.contains(&d.rule) || d.severity >= zlint::lint::rule::Severity::Warning
        })
        .map(|d| format!("{} {}", d.rule, d.message))
        .collect()
}

fn array(shape: &[u64], layout: &Layout, item: u64, names: &[&str]) -> ArrayInfo {
    ArrayInfo {
        path: NodePath::new("a"),
        format: Format::Zarr3,
        shape: shape.to_vec(),
        dtype: DataType {
            name: format!("uint{}", item * 8),
            item_size: Some(item),
        },
        native_dtype: String::new(),
        chunk_shape: layout.chunks.clone(),
        shard_shape: layout.shards.clone(),
        codecs: vec![],
        fill_value: Value::from(0),
        dimension_names: Some(names.iter().map(|n| Some((*n).to_string())).collect()),
        axes: None,
        chunk_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
        attributes: Map::new(),
        stored: None,
        metadata: zarrs::storage::Bytes::new(),
    }
}

proptest! {
    #[test]
    fn recommended_layouts_draw_no_layout_findings(
        shape in prop::collection::vec(1u64..6000, 1..5),
        item in prop::sample::select(vec![1u64, 2, 4, 8]),
        profile in prop::sample::select(PROFILES.to_vec()),
        access in prop::sample::select(ACCESSES.to_vec()),
        seed in prop::collection::vec(1u64..3000, 5),
        names_seed in prop::collection::vec(prop::sample::select(vec!["t", "c", "z", "y", "x", "q"]), 5),
    ) {
        let names = &names_seed[..shape.len()];
        let current = Layout { chunks: shape.iter().zip(&seed).map(|(s, c)| (*c).min(*s * 2)).collect(), shards: None };
        let thresholds = Thresholds::for_profile(profile);
        prop_assume!(!zl104_unavoidable(&shape, item, &thresholds));
        let source = array(&shape, &current, item, names);
        let roles = axis_roles(&source);
        let request = LayoutRequest::for_array(&source, &roles, profile, access, &thresholds).expect("sized");
        let layout = recommend(&request);
        prop_assert!(is_acceptable(&request, &layout), "{layout:?}");

        let findings = layout_findings(array(&shape, &layout, item, names), profile, access);
        prop_assert!(findings.is_empty(), "{layout:?} for {shape:?}: {findings:?}");
    }

    #[test]
    fn the_planner_accepts_exactly_the_layouts_the_rules_pass(
        shape in prop::collection::vec(1u64..5000, 1..5),
        item in prop::sample::select(vec![1u64, 2, 4, 8]),
        profile in prop::sample::select(PROFILES.to_vec()),
        access in prop::sample::select(ACCESSES.to_vec()),
        chunks_seed in prop::collection::vec(1u64..2000, 5),
        shard_factors in prop::option::of(prop::collection::vec(1u64..5, 5)),
        ragged in any::<bool>(),
        names_seed in prop::collection::vec(prop::sample::select(vec!["t", "c", "z", "y", "x", "q"]), 5),
    ) {
        let n = shape.len();
        let names = &names_seed[..n];
        let chunks: Vec<u64> = shape.iter().zip(&chunks_seed).map(|(s, c)| (*c).min(*s * 2)).collect();
        // Shards in whole chunks, or (ragged) one element more on the first axis.
        let shards = shard_factors.map(|f| {
            let mut shards: Vec<u64> = chunks.iter().zip(&f).map(|(c, f)| c * f).collect();
            if ragged {
                shards[0] += 1;
            }
            shards
        });
        let layout = Layout { chunks, shards };
        let thresholds = Thresholds::for_profile(profile);
        prop_assume!(!zl104_unavoidable(&shape, item, &thresholds));
        let subject = array(&shape, &layout, item, names);
        let roles = axis_roles(&subject);
        let request = LayoutRequest::for_array(&subject, &roles, profile, access, &thresholds).expect("sized");
        let accepted = is_acceptable(&request, &layout);
        let findings = layout_findings(subject.clone(), profile, access);
        prop_assert_eq!(accepted, findings.is_empty(), "{:?} over {:?}: {:?}", layout, shape, findings);
    }
}
