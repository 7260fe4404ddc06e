"""zlint against a local object-store server: S3 (moto), Google Cloud Storage
(gcp-storage-emulator) or Azure Blob Storage (Azurite), each started on loopback. The checks are
the same for all three: scan, lint and rechunk store -> store, file -> store and store -> file,
outputs read back by another client (tensorstore from S3; downloaded by the store's own API,
then opened by tensorstore, for GCS and Azure) and compared with the sources as zarr-python reads them; a rechunk split
into 4 concurrent parts with one killed and resumed, byte-identical to a single run; leases
held, raced and lapsed; a proxy answering 503 and 429 (throttling); refused credentials (S3,
Azure); clear errors for a missing bucket, an empty prefix and an unreachable endpoint.

Usage: python tests/cloud/check.py s3|gs|az ZLINT_BINARY   (run by tests/cloud/run.sh, which
installs the servers and packages)."""

import base64
import http.client
import http.server
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import zarr

BACKEND, ZLINT = sys.argv[1], sys.argv[2]
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
BUCKET = "zlint"
# A short lease term, so a killed part's lease lapses within the test.
LEASE = 3
failures = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, what):
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not start on port {port}")


def read_downloaded(store, path, driver):
    """An array as tensorstore reads it from a download of its objects (by the store's own API)."""
    import tensorstore as ts

    local = Path(tempfile.mkdtemp())
    for key in store.keys(path):
        target = local / key[len(path):]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(store.get(key))
    kvstore = {"driver": "file", "path": str(local) + "/"}
    return ts.open({"driver": driver, "kvstore": kvstore}, read=True).result().read().result()


class S3:
    """moto's S3 server, in this process; boto3 as the test's own client."""

    scheme = "s3"

    def __init__(self):
        import boto3
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        credentials = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
        os.environ.update(credentials)
        self.env = dict(credentials, AWS_ALLOW_HTTP="true", **self.endpoint_env(self.port))
        self.front = self.port
        self.client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.port}")
        self.client.create_bucket(Bucket=BUCKET)
        self.missing = self.client.exceptions.NoSuchKey

    def endpoint_env(self, port):
        return {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}

    def refused_env(self):
        return {"AWS_ACCESS_KEY_ID": "wrong"}

    def refused(self, request):
        if "Credential=wrong/" not in request.headers.get("Authorization", ""):
            return None
        return 403, (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>'
                     b"<Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>")

    refusal = "InvalidAccessKeyId"

    def put(self, key, data):
        self.client.put_object(Bucket=BUCKET, Key=key, Body=data)

    def get(self, key):
        try:
            return self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        except self.missing:
            return None

    def keys(self, prefix):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def read(self, path, driver):
        import tensorstore as ts

        kvstore = {"driver": "s3", "bucket": BUCKET, "path": path,
                   "endpoint": f"http://127.0.0.1:{self.port}", "aws_region": "us-east-1"}
        return ts.open({"driver": driver, "kvstore": kvstore}, read=True).result().read().result()

    def stop(self):
        self.server.stop()


class GCS:
    """gcp-storage-emulator (JSON API) in a child process, behind tests/cloud/gcs_xml.py for the
    XML API object_store speaks; the test's own client is the JSON API. Read-backs download the
    objects through it and open them with tensorstore's file driver (tensorstore's gcs driver
    reads shard indexes with suffix byte ranges, which the emulator ignores)."""

    scheme = "gs"

    def __init__(self):
        import gcs_xml

        self.port = free_port()
        self.emulator = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gcp-storage-emulator"), "start", "--host", "127.0.0.1",
             "--port", str(self.port), "--in-memory"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.port, "gcp-storage-emulator")
        self.request("POST", "/storage/v1/b?project=test", json.dumps({"name": BUCKET}).encode())
        self.front = urllib.parse.urlsplit(gcs_xml.start(self.emulator)).port
        self.env = dict(GOOGLE_ALLOW_HTTP="true", **self.endpoint_env(self.front))

    def endpoint_env(self, port):
        # A key that names the endpoint and turns OAuth off, as object_store's own tests do.
        key = {"gcs_base_url": f"http://127.0.0.1:{port}", "disable_oauth": True, "client_email": "",
               "private_key": "", "private_key_id": ""}
        return {"GOOGLE_SERVICE_ACCOUNT_KEY": json.dumps(key)}

    refused_env = None

    def refused(self, request):
        return None

    def request(self, method, path, data=None, content_type="application/json"):
        request = urllib.request.Request(self.emulator + path, data=data, method=method,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def put(self, key, data):
        quoted = urllib.parse.quote(key, safe="")
        self.request("POST", f"/upload/storage/v1/b/{BUCKET}/o?uploadType=media&name={quoted}", data,
                     "application/octet-stream")

    def get(self, key):
        return self.request("GET", f"/download/storage/v1/b/{BUCKET}/o/{urllib.parse.quote(key, safe='')}?alt=media")

    def keys(self, prefix):
        listing = json.loads(self.request("GET", f"/storage/v1/b/{BUCKET}/o?prefix={urllib.parse.quote(prefix)}"))
        return [item["name"] for item in listing.get("items") or []]

    def read(self, path, driver):
        return read_downloaded(self, path, driver)

    def stop(self):
        # The emulator outlives SIGTERM (its server thread keeps it up): stopped for good.
        self.process.kill()
        self.process.wait()


class Azure:
    """Azurite's blob service (from npm) in a child process; Azure's SDK as the test's own
    client. tensorstore has no Azure driver: read-backs download the blobs with the SDK and open
    them with tensorstore's file driver."""

    scheme = "az"
    account = "devstoreaccount1"
    # Azurite's published development key.
    key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

    def __init__(self):
        from azure.storage.blob import BlobServiceClient

        self.port = free_port()
        self.process = subprocess.Popen(
            [os.environ["AZURITE"], "--blobHost", "127.0.0.1", "--blobPort", str(self.port), "--inMemoryPersistence",
             "--skipApiVersionCheck", "--disableTelemetry", "--silent"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.port, "Azurite")
        self.front = self.port
        service = BlobServiceClient.from_connection_string(
            f"DefaultEndpointsProtocol=http;AccountName={self.account};AccountKey={self.key};"
            f"BlobEndpoint=http://127.0.0.1:{self.port}/{self.account};")
        self.container = service.create_container(BUCKET)
        self.env = dict(AZURE_STORAGE_USE_EMULATOR="true", **self.endpoint_env(self.port))
        logging.getLogger("azure").setLevel(logging.ERROR)

    def endpoint_env(self, port):
        return {"AZURITE_BLOB_STORAGE_URL": f"http://127.0.0.1:{port}"}

    def refused_env(self):
        return {"AZURE_STORAGE_ACCOUNT_KEY": base64.b64encode(b"not the key").decode()}

    def refused(self, request):
        return None

    refusal = "AuthorizationFailure"

    def put(self, key, data):
        self.container.upload_blob(key, data, overwrite=True)

    def get(self, key):
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self.container.download_blob(key).readall()
        except ResourceNotFoundError:
            return None

    def keys(self, prefix):
        return [blob.name for blob in self.container.list_blobs(name_starts_with=prefix)]

    def read(self, path, driver):
        return read_downloaded(self, path, driver)

    def stop(self):
        self.process.terminate()


store = {"s3": S3, "gs": GCS, "az": Azure}[BACKEND]()
ENV = dict(os.environ, **store.env, ZLINT_LEASE_SECS=str(LEASE))
ROOT = f"{store.scheme}://{BUCKET}"


def check(ok, what):
    print(f"{'ok  ' if ok else 'FAIL'} [{BACKEND}] {what}")
    if not ok:
        failures.append(what)


def zl(*args, expect=0, env=None):
    done = subprocess.run([ZLINT, *map(str, args)], env=env or ENV, capture_output=True, text=True)
    if done.returncode != expect:
        print(done.stdout, done.stderr, file=sys.stderr)
    check(done.returncode == expect, f"zlint {' '.join(map(str, args))} -> exit {done.returncode}")
    return done


def upload(local, prefix):
    for path in Path(local).rglob("*"):
        if path.is_file():
            store.put(f"{prefix}/{path.relative_to(local)}", path.read_bytes())


def objects(prefix):
    """Every object under prefix: relative key -> bytes."""
    return {key[len(prefix) + 1 :]: store.get(key) for key in store.keys(prefix + "/")}


def local_arrays(path):
    """Every array of a local Zarr store (v2 or v3) as zarr-python reads it: path -> ndarray."""
    node = zarr.open(str(path), mode="r")
    if isinstance(node, zarr.Array):
        return {"": node[...]}
    return {name: a[...] for name, a in node.members(max_depth=None) if isinstance(a, zarr.Array)}


def remote_read(prefix, array, driver):
    return store.read(f"{prefix}/{array}/" if array else f"{prefix}/", driver)


upload(FIXTURES / "zarr2/hierarchy.zarr", "src/hierarchy.zarr")
upload(FIXTURES / "zarr3/consolidated.zarr", "src/consolidated.zarr")
upload(FIXTURES / "zarr3/plain.zarr", "src/plain.zarr")
upload(FIXTURES / "n5/zarr2.n5", "src/zarr2.n5")

# Scan and lint: a copy in the object store reads as the local store does. These stores are a
# few KiB, below every profile's ZL101 floor: a floor of 4 KiB gives each findings to compare.
small_floor = Path(tempfile.mkdtemp()) / "zlint.toml"
small_floor.write_text('[thresholds]\nchunk-min-bytes = "4 KiB"\n')
for name, local in [("hierarchy.zarr", "zarr2/hierarchy.zarr"), ("consolidated.zarr", "zarr3/consolidated.zarr"),
                    ("zarr2.n5", "n5/zarr2.n5")]:
    url, path = f"{ROOT}/src/{name}", FIXTURES / local
    remote = json.loads(zl("scan", "--deep", "--json", url).stdout)
    here = json.loads(zl("scan", "--deep", "--json", path).stdout)
    brief = lambda doc: [(a["path"], a["shape"], a["chunks"], a["dtype"], a.get("stored")) for a in doc["arrays"]]
    check(brief(remote) == brief(here), f"scan --deep of {url} matches the local store")
    findings = lambda doc: sorted((f["rule"], f["path"], f["message"]) for f in doc["findings"])
    local_run = subprocess.run([ZLINT, "--format", "json", "--config", str(small_floor), str(path)],
                               capture_output=True, text=True)
    here = json.loads(local_run.stdout)
    remote = json.loads(zl("--format", "json", "--config", str(small_floor), url,
                           expect=local_run.returncode).stdout)
    check(findings(remote) == findings(here) and findings(here), f"lint of {url} matches the local store")

# Rechunks between the object store and files, verified by zlint, read back by another client.
tmp = Path(tempfile.mkdtemp())
runs = [
    (f"{ROOT}/src/hierarchy.zarr", "out/v2-to-v3.zarr", "zarr3", FIXTURES / "zarr2/hierarchy.zarr",
     ["--to", "zarr3"]),
    (f"{ROOT}/src/consolidated.zarr", "out/sharded.zarr", "zarr3", FIXTURES / "zarr3/consolidated.zarr",
     ["--chunks", "temperature=2,5,5", "--shards", "temperature=6,10,10", "--chunks", "aux/flags=10",
      "--shards", "aux/flags=50"]),
    (FIXTURES / "zarr3/plain.zarr", "out/plain-v2.zarr", "zarr", FIXTURES / "zarr3/plain.zarr",
     ["--to", "zarr2", "--chunks", "7,9"]),
    (FIXTURES / "zarr3/consolidated.zarr", "out/consolidated.n5", "n5", FIXTURES / "zarr3/consolidated.zarr",
     ["--to", "n5", "--codec", "gzip:4"]),
    (f"{ROOT}/src/plain.zarr", "out/repacked.zarr", "zarr3", FIXTURES / "zarr3/plain.zarr",
     ["--chunks", "20,32", "--shards", "40,64"]),
]
for src, dst, driver, reference, args in runs:
    zl("rechunk", src, f"{ROOT}/{dst}", "--verify", "-q", *args)
    expected = local_arrays(reference)
    # tensorstore keeps N5's axis order (fastest first); zlint and zarr-python use C order.
    view = (lambda a: a.T) if driver == "n5" else (lambda a: a)
    same = all(np.array_equal(view(remote_read(dst, name, driver)), data) for name, data in expected.items())
    check(same and expected, f"{dst}: {len(expected)} arrays read back by another client equal the source")
zl("rechunk", f"{ROOT}/src/hierarchy.zarr", tmp / "from-store.zarr", "--chunks", "raw=8,16", "--verify", "-q")
expected, got = local_arrays(FIXTURES / "zarr2/hierarchy.zarr"), local_arrays(tmp / "from-store.zarr")
check(expected.keys() == got.keys() and all(np.array_equal(got[k], v) for k, v in expected.items()),
      "store -> file output read back by zarr-python equals the source")
zl("rechunk", f"{ROOT}/src/zarr2.n5", f"{ROOT}/out/from-n5.zarr", "--to", "zarr3", "--verify", "-q")

# The whole store (issue 26): a bioformats2raw store's other files carried into the object
# store byte for byte, from a file and from the store itself, and verified.
bf2raw = FIXTURES / "ome/bf2raw-v04.ome.zarr"
upload(bf2raw, "src/bf2raw.zarr")
other = ["OME/METADATA.ome.xml", "README.md", "0/provenance.json"]
for src, dst in [(bf2raw, "out/bf2raw-from-file.zarr"), (f"{ROOT}/src/bf2raw.zarr", "out/bf2raw-from-store.zarr")]:
    zl("rechunk", src, f"{ROOT}/{dst}", "--ome-version", "0.5", "--verify", "-q")
    same = all(store.get(f"{dst}/{key}") == (bf2raw / key).read_bytes() for key in other)
    check(same, f"{dst}: {len(other)} other files carried byte for byte")
zl("rechunk", f"{ROOT}/src/bf2raw.zarr", tmp / "bf2raw-from-store.zarr", "--to", "zarr2", "--verify", "-q")
check(all((tmp / "bf2raw-from-store.zarr" / key).read_bytes() == (bf2raw / key).read_bytes() for key in other),
      "store -> file: the other files carried byte for byte")

# A rechunk split into 4 parts running at once, one killed and resumed; then a single run.
source = tmp / "stack.zarr"
stack = zarr.create_array(str(source), shape=(32, 256, 256), chunks=(1, 256, 256), dtype="uint16",
                          compressors=zarr.codecs.GzipCodec(level=1))
stack[...] = (np.arange(32 * 256 * 256, dtype=np.uint64) * 2654435761 >> 20).astype(np.uint16).reshape(stack.shape)
options = ["--chunks", "8,64,64", "--max-mem", "1MiB"]
split, single = f"{ROOT}/out/split.zarr", f"{ROOT}/out/single.zarr"
zl("rechunk", source, split, "--init", *options)
part = lambda i, *extra: subprocess.Popen([ZLINT, "rechunk", str(source), split, "--part", f"{i}/4", "-j", "1", "-q", *extra],
                                          env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
parts = [part(i) for i in range(4)]
log_key = "out/split.zarr/.zlint-rechunk/done/part-2-of-4.log"
deadline = time.time() + 120
while time.time() < deadline and parts[2].poll() is None:
    if (store.get(log_key) or b"").count(b"\n") >= 2:
        break
    time.sleep(0.02)
check(parts[2].poll() is None, "part 2/4 still running when it is killed")
parts[2].kill()
parts[2].wait()
done = zl("rechunk", source, split, "--part", "2/4", "--resume", "-q", expect=2)
check("already running" in done.stderr, "the killed part's lease holds until it lapses")
codes = [p.wait() for p in parts]
check(codes[0] == codes[1] == codes[3] == 0 and codes[2] != 0, f"parts exit {codes}")
done = zl("rechunk", source, split, "--finalize", expect=2)
check("part 2/4" in done.stderr and "incomplete" in done.stderr, "finalize refuses the incomplete output, naming part 2/4")
check("zarr.json" not in objects("out/split.zarr"), "an incomplete output has no metadata")
time.sleep(LEASE + 0.5)
done = zl("rechunk", source, split, "--part", "2/4", "-q", expect=2)
check("--resume" in done.stderr, "a part started before needs --resume")
zl("rechunk", source, split, "--part", "2/4", "--resume", "-q")
zl("rechunk", source, split, "--finalize", "--verify")
plan = zl("rechunk", source, single, *options, "--dry-run").stdout
check("through LZ4 intermediate chunks" in plan, "a two-pass plan into an object store compresses its intermediate")
zl("rechunk", source, single, *options, "-q")
# The same part started twice at once: one runs, the other is refused.
twice = f"{ROOT}/out/twice.zarr"
zl("rechunk", source, twice, "--init", *options)
racers = [subprocess.Popen([ZLINT, "rechunk", str(source), twice, "--part", "0/2", "-j", "1", "-q"], env=ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
results = [(r.wait(), r.stderr.read()) for r in racers]
check(sorted(code for code, _ in results) == [0, 2] and any("already running" in err for _, err in results),
      f"the same part started twice at once: one runs, one is refused ({[c for c, _ in results]})")
lock = "out/twice.zarr/.zlint-rechunk/done/part-1-of-2.lock"
store.put(lock, f"other-host:42:1 {int(time.time()) + 600}\n".encode())
done = zl("rechunk", source, twice, "--part", "1/2", "-q", expect=2)
check("other-host:42:1" in done.stderr, "a part held elsewhere is refused, naming the holder")
store.put(lock, f"other-host:42:1 {int(time.time()) - 1}\n".encode())
zl("rechunk", source, twice, "--part", "1/2", "-q")
zl("rechunk", source, twice, "--finalize", "--verify", "-q")

a, b = objects("out/split.zarr"), objects("out/single.zarr")
check(a == b and len(a) > 1, f"4 parts wrote the same {len(a)} objects as one run")
check(np.array_equal(remote_read("out/split.zarr", "", "zarr3"), stack[...]), "split output read back by tensorstore")

# Source objects that change or vanish between the steps of a run (issue 27): the next step and
# the finalization refuse, saying the source changed, and the output never gets its metadata.
upload(source, "src/moving.zarr")
moving = f"{ROOT}/src/moving.zarr"
for what in (["change", "vanish"] if BACKEND == "s3" else ["change"]):
    out = f"out/moving-{what}.zarr"
    zl("rechunk", moving, f"{ROOT}/{out}", "--init", "--chunks", "8,64,64")
    zl("rechunk", moving, f"{ROOT}/{out}", "--part", "0/2", "-q")
    victim = sorted(store.keys("src/moving.zarr/c/"))[-1]
    if what == "change":
        store.put(victim, store.get(victim) + b"grown")
    else:
        store.client.delete_object(Bucket=BUCKET, Key=victim)
    done = zl("rechunk", moving, f"{ROOT}/{out}", "--part", "1/2", "-q", expect=2)
    said = {"change": "changes", "vanish": "vanishes"}[what]
    check("the source changed" in done.stderr, f"a source object that {said}: the next part refuses")
    done = zl("rechunk", moving, f"{ROOT}/{out}", "--finalize", expect=2)
    check("the source changed" in done.stderr and "zarr.json" not in objects(out),
          f"a source object that {said}: finalize refuses, the output has no metadata")


# A proxy in front of the server answers every third request with 503 or 429 (throttling), but
# never the same request twice in a row (the retries of one request could otherwise keep landing
# on every third slot while other requests run). For S3 it also refuses the access key "wrong"
# with 403 as S3 does (moto checks no credentials; Azurite does).
class Throttle(http.server.BaseHTTPRequestHandler):
    count = 0
    refused = 0
    lock = threading.Lock()
    just_refused = set()

    def refuse(self):
        """Whether to throttle this request."""
        with Throttle.lock:
            Throttle.count += 1
            key = (self.command, self.path)
            if key in Throttle.just_refused:
                Throttle.just_refused.discard(key)
                return False
            if Throttle.count % 3:
                return False
            Throttle.just_refused.add(key)
            Throttle.refused += 1
            return True

    def forward(self):
        throttle = self.refuse()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        refusal = store.refused(self)
        if refusal:
            status, error = refusal
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        if throttle:
            status = 503 if Throttle.refused % 2 else 429
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        conn = http.client.HTTPConnection("127.0.0.1", store.front)
        conn.request(self.command, self.path, body=body, headers=dict(self.headers))
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(key, value)
        # A HEAD answer carries the object's length without its body.
        length = response.getheader("Content-Length") if self.command == "HEAD" else len(data)
        self.send_header("Content-Length", str(length or 0))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

    def log_message(self, *args):
        pass


proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Throttle)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
throttled = dict(ENV, **store.endpoint_env(proxy.server_address[1]))
zl("rechunk", f"{ROOT}/src/consolidated.zarr", f"{ROOT}/out/throttled.zarr", "--chunks",
   "temperature=3,5,5", "--verify", "-q", env=throttled)
check(Throttle.refused > 5, f"the proxy throttled {Throttle.refused} of {Throttle.count} requests, all retried")
if store.refused_env:
    done = zl("scan", f"{ROOT}/src/plain.zarr", expect=2, env=dict(throttled, **store.refused_env()))
    check(store.refusal in done.stderr and f"{ROOT}/src/plain.zarr" in done.stderr,
          "refused credentials are reported with the store's answer, naming the URL")

# Bad input: clear errors naming the location, exit 2.
done = zl("scan", f"{store.scheme}://no-such-bucket/store.zarr", expect=2)
check("no-such-bucket" in done.stderr and "bucket" in done.stderr.lower(), "a missing bucket is named")
done = zl("scan", f"{ROOT}/nothing-here.zarr", expect=2)
check("nothing is stored" in done.stderr, "an empty prefix is refused")
unreachable = dict(ENV, **store.endpoint_env(free_port()), ZLINT_MAX_RETRIES="1")
started = time.time()
done = zl("scan", f"{ROOT}/src/plain.zarr", expect=2, env=unreachable)
check(f"{ROOT}/src/plain.zarr" in done.stderr and time.time() - started < 30,
      "an unreachable endpoint fails fast, naming the URL")
zl("rechunk", f"{ROOT}/src/plain.zarr", f"{ROOT}/src/plain.zarr/inside", expect=2)
zl("rechunk", f"{ROOT}/src/plain.zarr", f"{ROOT}/out/v2-to-v3.zarr", expect=2)

store.stop()
print(f"{len(failures)} failures" if failures else f"all {BACKEND} checks passed")
sys.exit(1 if failures else 0)
