// Writes the zarrita.js part of the cross-implementation corpus: Zarr v3 arrays as zarrita.js
// (npm `zarrita`, the version pinned in package-lock.json beside this file) writes them, each a store of
// its own, OUT_DIR/zarrita-<case>.zarr, with its list in OUT_DIR/manifest-zarrita.json.
// Shapes are ragged, so edge chunks are partial; values follow a fixed formula. zarr-python 3
// reads each store back as the source values the corpus compares zlint's outputs with.
//
// Usage: node write.mjs OUT_DIR   (beside the node_modules `npm ci` installed from this folder)
import * as fs from "node:fs";
import * as path from "node:path";
import FileSystemStore from "@zarrita/storage/fs";
import * as zarr from "zarrita";

const SHAPE = [37, 45];
const CHUNKS = [10, 16];
const out = process.argv[2];
if (!out) {
  console.error("usage: node zarrita.mjs OUT_DIR");
  process.exit(2);
}

const ARRAYS = {
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** The value of element `i` of an array of `dtype`: signed, unsigned or fractional as it holds. */
function value(dtype, i) {
  const n = ((i * 7919 + 13) % 2001) - 1000;
  if (dtype.startsWith("float")) return n / 8;
  if (dtype.startsWith("uint")) return dtype === "uint64" ? BigInt(n + 1000) : n + 1000;
  if (dtype === "int8") return n % 128;
  return dtype === "int64" ? BigInt(n) : n;
}

/** A zarrita chunk of `shape` (C order) holding `values` of `dtype`. */
function chunk(dtype, values, shape) {
  if (dtype === "bool") {
    return { data: new zarr.BoolArray(Uint8Array.from(values, Number)), shape, stride: strides(shape) };
  }
  return { data: ARRAYS[dtype].from(values), shape, stride: strides(shape) };
}

function strides(shape) {
  const out = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

const bytes = (endian = "little") => ({ name: "bytes", configuration: { endian } });
const CASES = [];
const add = (name, dtype, options = {}) => CASES.push({ name, dtype, options });
for (const dtype of Object.keys(ARRAYS)) add(`dtype-${dtype}`, dtype, { codecs: [bytes()] });
add("dtype-bool", "bool", { codecs: [bytes()], fillValue: false });
// zarrita.js 0.7 encodes blosc, zstd and lz4 (numcodecs.js), and not gzip, zlib or crc32c.
const blosc = (cname, shuffle, typesize) => ({
  name: "blosc",
  configuration: { cname, clevel: 5, shuffle, typesize, blocksize: 0 },
});
const zstd = { name: "zstd", configuration: { level: 3, checksum: false } };
add("blosc-lz4", "float32", { codecs: [bytes(), blosc("lz4", "shuffle", 4)] });
add("blosc-zstd", "int64", { codecs: [bytes(), blosc("zstd", "bitshuffle", 8)] });
add("blosc-zlib", "uint16", { codecs: [bytes(), blosc("zlib", "noshuffle", 2)] });
add("zstd", "int32", { codecs: [bytes(), zstd] });
add("transpose-zstd", "float64", {
  codecs: [{ name: "transpose", configuration: { order: [1, 0] } }, bytes(), zstd],
});
add("numcodecs-delta", "int16", {
  codecs: [{ name: "numcodecs.delta", configuration: { dtype: "<i2" } }, bytes(), zstd],
});
add("numcodecs-shuffle", "uint32", {
  codecs: [bytes(), { name: "numcodecs.shuffle", configuration: { elementsize: 4 } }, zstd],
});
add("big-endian", "uint32", { codecs: [bytes("big")] });
add("dot-separator", "uint8", { codecs: [bytes()], chunkSeparator: "." });
add("fill-7", "int16", { codecs: [bytes()], fillValue: 7, missing: true });
// zarrita.js writes `"fill_value": null` when it is given none; neither zarr-python nor
// tensorstore opens such an array, and zlint's scan says so (scan::codecs): not a corpus case.
add("dimension-names", "uint16", {
  codecs: [bytes(), blosc("lz4", "shuffle", 2)],
  dimensionNames: ["y", "x"],
  attributes: { written_by: "zarrita.js" },
});
add("chunk-edge", "int32", { codecs: [bytes()], shape: [4, 3, 37], chunks: [4, 3, 37] });

/** Writes every chunk of the array (or, with `missing`, two of them), then its data. */
async function write({ name, dtype, options }) {
  const shape = options.shape ?? SHAPE;
  const chunks = options.chunks ?? CHUNKS;
  const dir = path.join(out, `zarrita-${name}.zarr`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const store = new FileSystemStore(dir);
  const fillValue = "fillValue" in options ? options.fillValue : 0;
  const array = await zarr.create(zarr.root(store), {
    shape,
    chunkShape: chunks,
    dtype,
    codecs: options.codecs,
    // A number also for 64-bit integers: zarrita.js cannot write a BigInt into JSON.
    fillValue,
    chunkSeparator: options.chunkSeparator,
    dimensionNames: options.dimensionNames,
    attributes: { case: name, ...(options.attributes ?? {}) },
  });
  const count = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: count }, (_, i) => (dtype === "bool" ? i % 3 === 0 : value(dtype, i)));
  if (options.missing) {
    // Only the first chunk and the last row of chunks are written; the rest read as the fill.
    const first = shape.map((s, axis) => zarr.slice(0, Math.min(s, chunks[axis])));
    const last = shape.map((s, axis) => (axis === 0 ? zarr.slice(20, s) : zarr.slice(32, s)));
    for (const region of [first, last]) {
      const box = region.map((r) => [r.start, r.stop]);
      const part = [];
      const boxShape = box.map(([a, b]) => b - a);
      for (let i = box[0][0]; i < box[0][1]; i++) {
        for (let j = box[1][0]; j < box[1][1]; j++) part.push(values[i * shape[1] + j]);
      }
      await zarr.set(array, region, chunk(dtype, part, boxShape));
    }
  } else {
    await zarr.set(array, null, chunk(dtype, values, shape));
  }
  return path.basename(dir);
}

fs.mkdirSync(out, { recursive: true });
const made = [];
for (const c of CASES) made.push(await write(c));
fs.writeFileSync(path.join(out, "manifest-zarrita.json"), JSON.stringify(made.sort(), null, 1));
console.log(`corpus: ${made.length} arrays written by zarrita.js in ${out}`);
