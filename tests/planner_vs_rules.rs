//! The planner and the rules agree: a layout the planner accepts as it is draws no layout finding,
//! and every layout the planner recommends is one it accepts.

use proptest::prelude::*;
use serde_json::{Map, Value};
use zlint::lint::config::{Access, Profile, Thresholds};
use zlint::lint::rule::Severity;
use zlint::lint::{Settings, lint};
use zlint::model::{ArrayInfo, ChunkKeyEncoding, DataType, Format, NodePath, Store};
use zlint::plan::{Layout, LayoutRequest, axis_roles, is_acceptable, recommend};

/// Rules about the layout of one array (the planner's concern).
const LAYOUT_RULES: &[&str] = &[
    "ZL101", "ZL102", "ZL103", "ZL106", "ZL107", "ZL201", "ZL203",
];

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
    }
}

proptest! {
    #[test]
    fn recommended_layouts_draw_no_layout_findings(
        shape in prop::collection::vec(1u64..6000, 1..5),
        item in prop::sample::select(vec![1u64, 2, 4, 8]),
        profile in prop::sample::select(vec![Profile::Analysis, Profile::Cloud, Profile::Visualization]),
        access in prop::sample::select(vec![Access::Auto, Access::Volume, Access::Plane]),
        seed in prop::collection::vec(1u64..3000, 5),
        names_seed in prop::collection::vec(prop::sample::select(vec!["t", "c", "z", "y", "x", "q"]), 5),
    ) {
        let names = &names_seed[..shape.len()];
        let current = Layout { chunks: shape.iter().zip(&seed).map(|(s, c)| (*c).min(*s * 2)).collect(), shards: None };
        let thresholds = Thresholds::for_profile(profile);
        let source = array(&shape, &current, item, names);
        let roles = axis_roles(&source);
        let request = LayoutRequest::for_array(&source, &roles, profile, access, &thresholds).expect("sized");
        let layout = recommend(&request);
        prop_assert!(is_acceptable(&request, &layout), "{layout:?}");

        let rewritten = array(&shape, &layout, item, names);
        let store = Store { arrays: vec![rewritten], ..Store::default() };
        let mut settings = Settings::for_profile(profile);
        settings.access = access;
        settings.select = LAYOUT_RULES.iter().map(|r| (*r).to_string()).collect();
        let report = lint(&store, &settings);
        let serious: Vec<_> = report.findings.iter().filter(|d| d.severity >= Severity::Warning).collect();
        prop_assert!(serious.is_empty(), "{layout:?} for {shape:?}: {serious:?}");
    }
}
