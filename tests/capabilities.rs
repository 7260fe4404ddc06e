//! The capability table (docs/capabilities.md): for every codec and data type of each format that
//! zlint knows of, whether it decodes it and which formats a rewrite can write it to. The table is
//! not written by hand: this test plans a rewrite of a one-array store per row, with the
//! planner the command line and the Python API use, and the committed file must say what the
//! planner does (`ZLINT_UPDATE_DOCS=1 cargo test --test capabilities` writes it again).
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use serde_json::{Value, json};
use zlint::model::Format;
use zlint::plan::carried_arrays::undecodable;
use zlint::plan::{Budget, RechunkPlan, ShapeRequests, Targets};
use zlint::progress::NoProgress;
use zlint::scan::{ScanOptions, scan};

/// One row: the format, what the row is, and the metadata document of its array.
struct Probe {
    format: Format,
    name: &'static str,
    metadata: Value,
}

fn zarr2(name: &'static str, dtype: &str, compressor: Value, filters: Value) -> Probe {
    let fill = if dtype == "|O" || dtype.contains('U') {
        json!("")
    } else {
        json!(0)
    };
    Probe {
        format: Format::Zarr2,
        name,
        metadata: json!({"zarr_format": 2, "shape": [4, 4], "chunks": [2, 2], "dtype": dtype,
                         "compressor": compressor, "filters": filters, "fill_value": fill,
                         "order": "C"}),
    }
}

fn zarr3(name: &'static str, data_type: &str, codecs: Value) -> Probe {
    let fill = match data_type {
        "string" => json!(""),
        "bool" => json!(false),
        _ => json!(0),
    };
    Probe {
        format: Format::Zarr3,
        name,
        metadata: json!({"zarr_format": 3, "node_type": "array", "shape": [4, 4],
                         "data_type": data_type,
                         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 2]}},
                         "chunk_key_encoding": {"name": "default"}, "fill_value": fill,
                         "codecs": codecs}),
    }
}

fn n5(name: &'static str, compression: Value) -> Probe {
    Probe {
        format: Format::N5,
        name,
        metadata: json!({"n5": "2.0.0", "dimensions": [4, 4], "blockSize": [2, 2],
                         "dataType": "int16", "compression": compression}),
    }
}

fn probes() -> Vec<Probe> {
    let none = Value::Null;
    let mut probes = vec![
        zarr2("no compressor", "<i2", none.clone(), none.clone()),
        zarr2(
            "zstd",
            "<i2",
            json!({"id": "zstd", "level": 3}),
            none.clone(),
        ),
        zarr2(
            "gzip",
            "<i2",
            json!({"id": "gzip", "level": 5}),
            none.clone(),
        ),
        zarr2(
            "zlib",
            "<i2",
            json!({"id": "zlib", "level": 5}),
            none.clone(),
        ),
        zarr2("bz2", "<i2", json!({"id": "bz2", "level": 5}), none.clone()),
        zarr2(
            "lz4",
            "<i2",
            json!({"id": "lz4", "acceleration": 1}),
            none.clone(),
        ),
        zarr2(
            "lzma",
            "<i2",
            json!({"id": "lzma", "format": 1, "check": -1, "preset": null,
                                     "filters": null}),
            none.clone(),
        ),
        zarr2(
            "blosc",
            "<i2",
            json!({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1,
                                      "blocksize": 0}),
            none.clone(),
        ),
        zarr2(
            "pcodec",
            "<i2",
            json!({"id": "pcodec", "level": 8}),
            none.clone(),
        ),
        zarr2(
            "zfpy",
            "<f8",
            json!({"id": "zfpy", "mode": 4, "tolerance": -1, "rate": -1,
                                     "precision": -1}),
            none.clone(),
        ),
    ];
    for (name, dtype, filter) in [
        (
            "delta (filter)",
            "<i2",
            json!({"id": "delta", "dtype": "<i2"}),
        ),
        (
            "fixedscaleoffset (filter)",
            "<f8",
            json!({"id": "fixedscaleoffset", "offset": 0, "scale": 100, "dtype": "<f8",
                "astype": "<i4"}),
        ),
        (
            "quantize (filter)",
            "<f8",
            json!({"id": "quantize", "digits": 3, "dtype": "<f8"}),
        ),
        (
            "astype (filter)",
            "<f8",
            json!({"id": "astype", "encode_dtype": "<f4",
                                          "decode_dtype": "<f8"}),
        ),
        (
            "bitround (filter)",
            "<f4",
            json!({"id": "bitround", "keepbits": 10}),
        ),
        ("packbits (filter)", "|b1", json!({"id": "packbits"})),
        (
            "shuffle (filter)",
            "<i2",
            json!({"id": "shuffle", "elementsize": 2}),
        ),
        ("crc32 (filter)", "<i2", json!({"id": "crc32"})),
        ("adler32 (filter)", "<i2", json!({"id": "adler32"})),
        ("fletcher32 (filter)", "<i2", json!({"id": "fletcher32"})),
        (
            "categorize (filter)",
            "<U7",
            json!({"id": "categorize", "labels": ["a", "b"],
                                              "dtype": "<U7", "astype": "|u1"}),
        ),
        (
            "categorize (filter) of Python objects",
            "|O",
            json!({"id": "categorize", "labels": ["a", "b"],
                   "dtype": "|O", "astype": "|u1"}),
        ),
        ("vlen-utf8 (strings)", "|O", json!({"id": "vlen-utf8"})),
        ("vlen-bytes (bytes)", "|O", json!({"id": "vlen-bytes"})),
    ] {
        probes.push(zarr2(name, dtype, none.clone(), json!([filter])));
    }
    probes.push(Probe {
        name: "structured dtype",
        ..zarr2("", "<i2", none.clone(), none.clone())
    });
    if let Some(last) = probes.last_mut() {
        last.metadata["dtype"] = json!([["a", "<i4"], ["b", "<f8"]]);
    }
    probes.push(Probe {
        name: "structured dtype, a big-endian field",
        ..zarr2("", "<i2", none.clone(), none.clone())
    });
    if let Some(last) = probes.last_mut() {
        last.metadata["dtype"] = json!([["a", ">i4"], ["b", "<f8"]]);
    }
    let bytes = json!({"name": "bytes", "configuration": {"endian": "little"}});
    let with = |codec: Value| json!([bytes.clone(), codec]);
    let named =
        |name: &str, configuration: Value| json!({"name": name, "configuration": configuration});
    probes.extend([
        zarr3("bytes", "int16", json!([bytes.clone()])),
        zarr3(
            "zstd",
            "int16",
            with(named("zstd", json!({"level": 3, "checksum": false}))),
        ),
        zarr3("gzip", "int16", with(named("gzip", json!({"level": 5})))),
        zarr3(
            "blosc",
            "int16",
            with(named(
                "blosc",
                json!({"cname": "lz4", "clevel": 5,
                                                           "shuffle": "shuffle", "typesize": 2,
                                                           "blocksize": 0}),
            )),
        ),
        zarr3("crc32c", "int16", with(named("crc32c", json!({})))),
        zarr3(
            "transpose",
            "int16",
            json!([named("transpose", json!({"order": [1, 0]})), bytes.clone()]),
        ),
        zarr3(
            "sharding_indexed",
            "int16",
            json!([named(
                "sharding_indexed",
                json!({"chunk_shape": [1, 1],
                     "codecs": [bytes.clone()],
                     "index_codecs": [bytes.clone(), named("crc32c", json!({}))],
                     "index_location": "end"})
            )]),
        ),
        zarr3(
            "vlen-utf8 (string)",
            "string",
            json!([named("vlen-utf8", json!({}))]),
        ),
        zarr3(
            "numcodecs.pcodec",
            "int16",
            json!([named("numcodecs.pcodec", json!({"level": 8}))]),
        ),
        zarr3(
            "numcodecs.zfpy",
            "float64",
            json!([named(
                "numcodecs.zfpy",
                json!({"mode": 4, "tolerance": -1, "rate": -1,
                                                    "precision": -1})
            )]),
        ),
    ]);
    // zarr-python 3's NumPy records, as it writes them.
    let mut record = zarr3(
        "structured (NumPy records)",
        "int16",
        json!([named("bytes", json!({}))]),
    );
    record.metadata["data_type"] = json!({"name": "structured",
        "configuration": {"fields": [["a", "int32"], ["b", "float64"]]}});
    record.metadata["fill_value"] = json!("AAAAAAAAAAAAAAAA");
    probes.push(record);
    for (name, configuration) in [
        ("numcodecs.zstd", json!({"level": 3})),
        ("numcodecs.gzip", json!({"level": 5})),
        ("numcodecs.zlib", json!({"level": 5})),
        ("numcodecs.bz2", json!({"level": 5})),
        ("numcodecs.lz4", json!({"acceleration": 1})),
        (
            "numcodecs.lzma",
            json!({"format": 1, "check": -1, "preset": null, "filters": null}),
        ),
        ("numcodecs.shuffle", json!({"elementsize": 2})),
        ("numcodecs.crc32", json!({})),
        ("numcodecs.adler32", json!({})),
        ("numcodecs.fletcher32", json!({})),
    ] {
        probes.push(zarr3(name, "int16", with(named(name, configuration))));
    }
    for (name, data_type, configuration) in [
        ("numcodecs.delta", "int16", json!({"dtype": "int16"})),
        (
            "numcodecs.fixedscaleoffset",
            "float64",
            json!({"offset": 0, "scale": 100, "dtype": "<f8", "astype": "<i4"}),
        ),
        (
            "numcodecs.quantize",
            "float64",
            json!({"digits": 3, "dtype": "<f8"}),
        ),
        (
            "numcodecs.astype",
            "float64",
            json!({"encode_dtype": "<f4", "decode_dtype": "<f8"}),
        ),
        ("numcodecs.bitround", "float32", json!({"keepbits": 10})),
        ("numcodecs.packbits", "bool", json!({})),
    ] {
        probes.push(zarr3(
            name,
            data_type,
            json!([named(name, configuration), bytes.clone()]),
        ));
    }
    for (name, compression) in [
        ("raw", json!({"type": "raw"})),
        ("gzip", json!({"type": "gzip", "level": 5})),
        (
            "gzip (useZlib)",
            json!({"type": "gzip", "level": 5, "useZlib": true}),
        ),
        ("bzip2", json!({"type": "bzip2", "blockSize": 9})),
        ("xz", json!({"type": "xz", "preset": 6})),
        ("zstd", json!({"type": "zstd", "level": 3})),
        (
            "blosc",
            json!({"type": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1,
                         "blocksize": 0, "nthreads": 1}),
        ),
        ("lz4", json!({"type": "lz4", "blockSize": 65536})),
    ] {
        probes.push(n5(name, compression));
    }
    probes
}

/// `dir` as a one-array store of `probe`.
fn write_store(dir: &Path, probe: &Probe) {
    std::fs::create_dir_all(dir).unwrap();
    let file = match probe.format {
        Format::Zarr2 => ".zarray",
        Format::Zarr3 => "zarr.json",
        Format::N5 => "attributes.json",
    };
    std::fs::write(dir.join(file), probe.metadata.to_string()).unwrap();
}

/// `yes`, or `no` and the planner's reason.
fn cell(result: Result<(), String>) -> (String, Option<String>) {
    match result {
        Ok(()) => ("yes".into(), None),
        Err(why) => ("no".into(), Some(why)),
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Zarr2 => "Zarr v2",
        Format::Zarr3 => "Zarr v3",
        Format::N5 => "N5",
    }
}

/// The table as planned now, in Markdown.
fn table() -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut out = String::from(
        "# What zlint reads and writes\n\n\
         Generated by `tests/capabilities.rs` from what the planner does (the one `zlint \
         rechunk`, `--auto`, the linter's fixes and Python's `plan` share): each row is a \
         one-array store planned for a rewrite to each format. *decodes*: zlint reads the \
         values (lint and scan read every row's metadata). *→ format*: a rewrite writes the \
         values into that format (with the codec, or the closest the format has; the plan's \
         notes say what changed). An array zlint does not decode, in a store with other arrays, \
         is carried over unchanged into its own format (see docs/rechunk.md, \"Arrays zlint cannot \
         decode\"). Regenerate with `ZLINT_UPDATE_DOCS=1 cargo test --test capabilities`.\n\n\
         | format | codec or type | decodes | → Zarr v2 | → Zarr v3 | → N5 | why not (first reason) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for (i, probe) in probes().iter().enumerate() {
        let store = dir.path().join(format!("p{i}"));
        write_store(&store, probe);
        let opened = zlint::store::open(store.to_str().unwrap()).unwrap();
        let found = scan(&opened, ScanOptions::default(), &NoProgress).unwrap();
        let array = found
            .arrays
            .first()
            .unwrap_or_else(|| panic!("{}", probe.name));
        let decodes = cell(undecodable(array).map_or(Ok(()), Err));
        let mut cells = vec![decodes];
        for format in [Format::Zarr2, Format::Zarr3, Format::N5] {
            let targets = Targets {
                chunks: ShapeRequests {
                    all: Some(vec![4, 4]),
                    ..ShapeRequests::default()
                },
                shards: ShapeRequests::default(),
                auto: false,
                profile: Default::default(),
                access: Default::default(),
                format: Some(format),
                codec: None,
                two_pass: true,
                exclude: Vec::new(),
            };
            let budget = Budget {
                max_mem_bytes: 1 << 30,
                threads: 1,
            };
            let out = dir.path().join(format!("out{i}")).display().to_string();
            let planned = RechunkPlan::build(&found, out, &targets, budget)
                .map(|_| ())
                .map_err(|e| e.to_string());
            cells.push(cell(planned));
        }
        let why = cells
            .iter()
            .find_map(|(_, why)| why.clone())
            .map(|why| {
                // The reason without the store's temporary path (`…/pN: `).
                let named = store.display().to_string();
                let why = why
                    .find(&named)
                    .and_then(|at| why[at + named.len()..].split_once(": "))
                    .map_or(why.as_str(), |(_, reason)| reason);
                why.replace('|', "\\|")
            })
            .unwrap_or_default();
        let marks: Vec<&str> = cells.iter().map(|(mark, _)| mark.as_str()).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            format_name(probe.format),
            probe.name,
            marks.join(" | "),
            why
        ));
    }
    out
}

#[test]
fn the_capability_table_says_what_the_planner_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/capabilities.md");
    let now = table();
    if std::env::var_os("ZLINT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "docs/capabilities.md differs from what the planner does; run \
         `ZLINT_UPDATE_DOCS=1 cargo test --test capabilities` and read the diff:\n{now}"
    );
}
