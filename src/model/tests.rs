//! The model's sizes and counts.

use super::*;

/// A uint16 Zarr v3 array at `a` for tests.
pub(crate) fn array(shape: &[u64], chunks: &[u64], shards: Option<&[u64]>) -> ArrayInfo {
    ArrayInfo {
        path: NodePath::new("a"),
        format: Format::Zarr3,
        shape: shape.to_vec(),
        dtype: DataType {
            name: "uint16".into(),
            item_size: Some(2),
        },
        native_dtype: "uint16".into(),
        chunk_shape: chunks.to_vec(),
        shard_shape: shards.map(<[u64]>::to_vec),
        codecs: vec![],
        fill_value: Value::from(0),
        dimension_names: None,
        axes: None,
        chunk_key_encoding: ChunkKeyEncoding::Default { separator: '/' },
        attributes: Map::new(),
        stored: None,
        metadata: zarrs::storage::Bytes::new(),
    }
}

#[test]
fn derived_figures_of_an_unsharded_array() {
    let a = array(&[100, 200], &[30, 64], None);
    assert_eq!(a.chunk_bytes(), Some(30 * 64 * 2));
    assert_eq!(a.chunk_count(), 4 * 4);
    assert_eq!(a.object_count(), 16);
    assert_eq!(a.shard_count(), None);
    assert_eq!(a.size_bytes(), Some(100 * 200 * 2));
}

#[test]
fn derived_figures_of_a_sharded_array() {
    let a = array(&[128, 128], &[16, 16], Some(&[64, 128]));
    assert_eq!(a.chunk_count(), 64);
    assert_eq!(a.shard_count(), Some(2));
    assert_eq!(a.object_count(), 2);
    assert_eq!(a.object_bytes(), Some(64 * 128 * 2));
    assert_eq!(a.chunk_bytes(), Some(16 * 16 * 2));
}

#[test]
fn scalar_array_has_one_chunk() {
    let a = array(&[], &[], None);
    assert_eq!(a.chunk_count(), 1);
    assert_eq!(a.chunk_bytes(), Some(2));
}

#[test]
fn zero_chunk_extent_does_not_divide_by_zero() {
    assert_eq!(grid_count(&[10], &[0]), 10);
}

#[test]
fn node_paths_normalise_and_join() {
    assert_eq!(NodePath::new("/a//b/").as_str(), "a/b");
    assert_eq!(NodePath::root().join("x/y").as_str(), "x/y");
    assert_eq!(NodePath::new("a").join("b").as_str(), "a/b");
    assert_eq!(NodePath::new("a/b").parent(), Some(NodePath::new("a")));
    assert_eq!(NodePath::new("a").parent(), Some(NodePath::root()));
    assert_eq!(NodePath::root().to_string(), "/");
    assert_eq!(NodePath::new("a/b").depth(), 2);
}

#[test]
fn codec_summaries_are_short() {
    let blosc = Codec {
        name: "blosc".into(),
        configuration: serde_json::from_str(r#"{"cname":"zstd","clevel":5,"shuffle":1}"#).unwrap(),
    };
    assert_eq!(blosc.summary(), "blosc(zstd,5,1)");
    assert!(blosc.compresses());
    let bytes = Codec {
        name: "bytes".into(),
        configuration: Map::new(),
    };
    assert!(!bytes.compresses());
    assert_eq!(bytes.summary(), "bytes");
}

#[test]
fn child_arrays_are_the_direct_children_only() {
    let mut store = Store::default();
    for path in ["a", "a-b", "a/b", "a/b/c", "a/d", "ab/x", "z"] {
        let mut array = array(&[4], &[4], None);
        array.path = NodePath::new(path);
        store.arrays.push(array);
    }
    let children = |group: &str| -> Vec<String> {
        let group = NodePath::new(group);
        store
            .child_arrays(&group)
            .map(|a| a.path.to_string())
            .collect()
    };
    assert_eq!(children(""), ["a", "a-b", "z"]);
    assert_eq!(children("a"), ["a/b", "a/d"]);
    assert_eq!(children("a/b"), ["a/b/c"]);
    assert!(children("q").is_empty());
}

#[test]
fn chunk_keys_are_spelled_as_each_encoding_reads_them_back() {
    let cases = [
        (ChunkKeyEncoding::Default { separator: '/' }, "c/1/20"),
        (ChunkKeyEncoding::Default { separator: '.' }, "c.1.20"),
        (ChunkKeyEncoding::V2 { separator: '.' }, "1.20"),
        (ChunkKeyEncoding::V2 { separator: '/' }, "1/20"),
        (ChunkKeyEncoding::N5, "20/1"),
    ];
    for (encoding, key) in cases {
        assert_eq!(encoding.key(&[1, 20]), key);
        let mut position = encoding.position(key, 2).unwrap();
        if encoding == ChunkKeyEncoding::N5 {
            position.reverse();
        }
        assert_eq!(position, [1, 20]);
    }
    assert_eq!(ChunkKeyEncoding::Default { separator: '/' }.key(&[]), "c");
    assert_eq!(ChunkKeyEncoding::Default { separator: '.' }.key(&[]), "c");
    assert_eq!(ChunkKeyEncoding::V2 { separator: '.' }.key(&[]), "0");
    assert_eq!(ChunkKeyEncoding::N5.key(&[1, 2, 3]), "3/2/1");
}

#[test]
fn a_key_read_from_its_directories_and_file_name_is_read_as_the_joined_key() {
    let encodings = [
        ChunkKeyEncoding::Default { separator: '/' },
        ChunkKeyEncoding::Default { separator: '.' },
        ChunkKeyEncoding::V2 { separator: '.' },
        ChunkKeyEncoding::V2 { separator: '/' },
        ChunkKeyEncoding::N5,
    ];
    let keys = [
        "c/1/20", "c.1.20", "1.20", "1/20", "20/1", "c", "0", "c/1", "c/1/20/3", "c/x/1", "1/.20",
        "c.1/2", "1/2.3", "1..2", "c//1", "", "c/1/", "01/002",
    ];
    let mut found = 0;
    for encoding in &encodings {
        for key in keys {
            let (dirs, file) = key
                .rsplit_once('/')
                .map_or((Vec::new(), key), |(dirs, file)| {
                    (dirs.split('/').map(str::to_string).collect(), file)
                });
            for rank in 0..4 {
                let joined = encoding.position(key, rank);
                assert_eq!(
                    encoding.position_at(&dirs, file, rank),
                    joined,
                    "{encoding:?} {key} rank {rank}"
                );
                found += usize::from(joined.is_some());
            }
        }
    }
    assert!(found >= 10, "{found} keys read as chunk keys");
}
