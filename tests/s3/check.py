"""zlint against a local S3 server (moto, on loopback): scan, lint and rechunk S3 -> S3,
file -> S3 and S3 -> file, outputs read back by tensorstore's S3 driver and compared with the
sources as zarr-python reads them; a rechunk split into 4 concurrent parts with one killed and
resumed, byte-identical to a single run; a proxy answering 503 and 429 (throttling) and 403
(refused credentials); clear errors for a missing bucket, an empty prefix and an unreachable
endpoint.

Usage: python tests/s3/check.py ZLINT_BINARY   (run by tests/s3/run.sh, which installs the
packages)."""

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
from pathlib import Path

import boto3
import numpy as np
import tensorstore as ts
import zarr
from moto.server import ThreadedMotoServer

ZLINT = sys.argv[1]
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
BUCKET = "zlint"
failures = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
ENDPOINT = f"http://127.0.0.1:{PORT}"
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
server.start()
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# A short lease term, so a killed part's lease lapses within the test.
LEASE = 3
ENV = dict(os.environ, **CREDENTIALS, AWS_ENDPOINT_URL=ENDPOINT, AWS_ALLOW_HTTP="true",
           ZLINT_LEASE_SECS=str(LEASE))
os.environ.update(CREDENTIALS)
s3 = boto3.client("s3", endpoint_url=ENDPOINT)
s3.create_bucket(Bucket=BUCKET)


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
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
            s3.upload_file(str(path), BUCKET, f"{prefix}/{path.relative_to(local)}")


def objects(prefix):
    """Every object under prefix: relative key -> bytes."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/"):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            out[item["Key"][len(prefix) + 1 :]] = body
    return out


def local_arrays(path):
    """Every array of a local Zarr store (v2 or v3) as zarr-python reads it: path -> ndarray."""
    node = zarr.open(str(path), mode="r")
    if isinstance(node, zarr.Array):
        return {"": node[...]}
    return {name: a[...] for name, a in node.members(max_depth=None) if isinstance(a, zarr.Array)}


def s3_read(prefix, array, driver):
    path = f"{prefix}/{array}/" if array else f"{prefix}/"
    spec = {
        "driver": driver,
        "kvstore": {"driver": "s3", "bucket": BUCKET, "path": path, "endpoint": ENDPOINT,
                    "aws_region": "us-east-1"},
    }
    return ts.open(spec, read=True).result().read().result()


upload(FIXTURES / "zarr2/hierarchy.zarr", "src/hierarchy.zarr")
upload(FIXTURES / "zarr3/consolidated.zarr", "src/consolidated.zarr")
upload(FIXTURES / "zarr3/plain.zarr", "src/plain.zarr")
upload(FIXTURES / "n5/zarr2.n5", "src/zarr2.n5")

# Scan and lint: an S3 copy reads as the local store does.
for name, local in [("hierarchy.zarr", "zarr2/hierarchy.zarr"), ("consolidated.zarr", "zarr3/consolidated.zarr"),
                    ("zarr2.n5", "n5/zarr2.n5")]:
    url, path = f"s3://{BUCKET}/src/{name}", FIXTURES / local
    remote = json.loads(zl("scan", "--deep", "--json", url).stdout)
    here = json.loads(zl("scan", "--deep", "--json", path).stdout)
    brief = lambda doc: [(a["path"], a["shape"], a["chunks"], a["dtype"], a.get("stored")) for a in doc["arrays"]]
    check(brief(remote) == brief(here), f"scan --deep of {url} matches the local store")
    findings = lambda doc: sorted((f["rule"], f["path"], f["message"]) for f in doc["findings"])
    local_run = subprocess.run([ZLINT, "--format", "json", str(path)], capture_output=True, text=True)
    here = json.loads(local_run.stdout)
    remote = json.loads(zl("--format", "json", url, expect=local_run.returncode).stdout)
    check(findings(remote) == findings(here) and findings(here), f"lint of {url} matches the local store")

# Rechunks between S3 and files, verified by zlint, read back by tensorstore from S3.
tmp = Path(tempfile.mkdtemp())
runs = [
    (f"s3://{BUCKET}/src/hierarchy.zarr", "out/v2-to-v3.zarr", "zarr3", FIXTURES / "zarr2/hierarchy.zarr",
     ["--format", "zarr3"]),
    (f"s3://{BUCKET}/src/consolidated.zarr", "out/sharded.zarr", "zarr3", FIXTURES / "zarr3/consolidated.zarr",
     ["--chunks", "temperature=2,5,5", "--shards", "temperature=6,10,10", "--chunks", "aux/flags=10",
      "--shards", "aux/flags=50"]),
    (FIXTURES / "zarr3/plain.zarr", "out/plain-v2.zarr", "zarr", FIXTURES / "zarr3/plain.zarr",
     ["--format", "zarr2", "--chunks", "7,9"]),
    (FIXTURES / "zarr3/consolidated.zarr", "out/consolidated.n5", "n5", FIXTURES / "zarr3/consolidated.zarr",
     ["--format", "n5", "--codec", "gzip:4"]),
    (f"s3://{BUCKET}/src/plain.zarr", "out/repacked.zarr", "zarr3", FIXTURES / "zarr3/plain.zarr",
     ["--chunks", "20,32", "--shards", "40,64"]),
]
for src, dst, driver, reference, args in runs:
    zl("rechunk", src, f"s3://{BUCKET}/{dst}", "--verify", "-q", *args)
    expected = local_arrays(reference)
    # tensorstore keeps N5's axis order (fastest first); zlint and zarr-python use C order.
    view = (lambda a: a.T) if driver == "n5" else (lambda a: a)
    same = all(np.array_equal(view(s3_read(dst, name, driver)), data) for name, data in expected.items())
    check(same and expected, f"{dst}: {len(expected)} arrays read back by tensorstore from S3 equal the source")
zl("rechunk", f"s3://{BUCKET}/src/hierarchy.zarr", tmp / "from-s3.zarr", "--chunks", "raw=8,16", "--verify", "-q")
expected, got = local_arrays(FIXTURES / "zarr2/hierarchy.zarr"), local_arrays(tmp / "from-s3.zarr")
check(expected.keys() == got.keys() and all(np.array_equal(got[k], v) for k, v in expected.items()),
      "S3 -> file output read back by zarr-python equals the source")
zl("rechunk", f"s3://{BUCKET}/src/zarr2.n5", f"s3://{BUCKET}/out/from-n5.zarr", "--format", "zarr3", "--verify", "-q")

# A rechunk split into 4 parts running at once, one killed and resumed; then a single run.
source = tmp / "stack.zarr"
stack = zarr.create_array(str(source), shape=(32, 256, 256), chunks=(1, 256, 256), dtype="uint16",
                          compressors=zarr.codecs.GzipCodec(level=1))
stack[...] = (np.arange(32 * 256 * 256, dtype=np.uint64) * 2654435761 >> 20).astype(np.uint16).reshape(stack.shape)
options = ["--chunks", "8,64,64", "--max-mem", "1MiB"]
split, single = f"s3://{BUCKET}/out/split.zarr", f"s3://{BUCKET}/out/single.zarr"
zl("rechunk", source, split, "--init", *options)
part = lambda i, *extra: subprocess.Popen([ZLINT, "rechunk", str(source), split, "--part", f"{i}/4", "-j", "1", "-q", *extra],
                                          env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
parts = [part(i) for i in range(4)]
log_key = "out/split.zarr/.zlint-rechunk/done/part-2-of-4.log"
deadline = time.time() + 120
while time.time() < deadline and parts[2].poll() is None:
    try:
        if s3.get_object(Bucket=BUCKET, Key=log_key)["Body"].read().count(b"\n") >= 2:
            break
    except s3.exceptions.NoSuchKey:
        pass
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
twice = f"s3://{BUCKET}/out/twice.zarr"
zl("rechunk", source, twice, "--init", *options)
racers = [subprocess.Popen([ZLINT, "rechunk", str(source), twice, "--part", "0/2", "-j", "1", "-q"], env=ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
results = [(r.wait(), r.stderr.read()) for r in racers]
check(sorted(code for code, _ in results) == [0, 2] and any("already running" in err for _, err in results),
      f"the same part started twice at once: one runs, one is refused ({[c for c, _ in results]})")
lock = "out/twice.zarr/.zlint-rechunk/done/part-1-of-2.lock"
s3.put_object(Bucket=BUCKET, Key=lock, Body=f"other-host:42:1 {int(time.time()) + 600}\n".encode())
done = zl("rechunk", source, twice, "--part", "1/2", "-q", expect=2)
check("other-host:42:1" in done.stderr, "a part held elsewhere is refused, naming the holder")
s3.put_object(Bucket=BUCKET, Key=lock, Body=f"other-host:42:1 {int(time.time()) - 1}\n".encode())
zl("rechunk", source, twice, "--part", "1/2", "-q")
zl("rechunk", source, twice, "--finalize", "--verify", "-q")

a, b = objects("out/split.zarr"), objects("out/single.zarr")
check(a == b and len(a) > 1, f"4 parts wrote the same {len(a)} objects as one run")
check(np.array_equal(s3_read("out/split.zarr", "", "zarr3"), stack[...]), "split output read back by tensorstore")


# A proxy in front of moto answers every third request with 503 or 429 (throttling), but never
# the same request twice in a row (the retries of one request could otherwise keep landing on
# every third slot while other requests run), and refuses the access key "wrong" with 403 as S3
# does.
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
        if "Credential=wrong/" in self.headers.get("Authorization", ""):
            error = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>'
                     b"<Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>")
            self.send_response(403)
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
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
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
throttled = dict(ENV, AWS_ENDPOINT_URL=f"http://127.0.0.1:{proxy.server_address[1]}")
zl("rechunk", f"s3://{BUCKET}/src/consolidated.zarr", f"s3://{BUCKET}/out/throttled.zarr", "--chunks",
   "temperature=3,5,5", "--verify", "-q", env=throttled)
check(Throttle.refused > 5, f"the proxy throttled {Throttle.refused} of {Throttle.count} requests, all retried")
done = zl("scan", f"s3://{BUCKET}/src/plain.zarr", expect=2, env=dict(throttled, AWS_ACCESS_KEY_ID="wrong"))
check("InvalidAccessKeyId" in done.stderr and f"s3://{BUCKET}/src/plain.zarr" in done.stderr,
      "refused credentials are reported with the store's answer, naming the URL")

# Bad input: clear errors naming the location, exit 2.
done = zl("scan", "s3://no-such-bucket/store.zarr", expect=2)
check("no-such-bucket" in done.stderr and "bucket" in done.stderr.lower(), "a missing bucket is named")
done = zl("scan", f"s3://{BUCKET}/nothing-here.zarr", expect=2)
check("nothing is stored" in done.stderr, "an empty prefix is refused")
unreachable = dict(ENV, AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}", ZLINT_MAX_RETRIES="1")
started = time.time()
done = zl("scan", f"s3://{BUCKET}/src/plain.zarr", expect=2, env=unreachable)
check(f"s3://{BUCKET}/src/plain.zarr" in done.stderr and time.time() - started < 30,
      "an unreachable endpoint fails fast, naming the URL")
zl("rechunk", f"s3://{BUCKET}/src/plain.zarr", f"s3://{BUCKET}/src/plain.zarr/inside", expect=2)
zl("rechunk", f"s3://{BUCKET}/src/plain.zarr", f"s3://{BUCKET}/out/v2-to-v3.zarr", expect=2)

server.stop()
print(f"{len(failures)} failures" if failures else "all S3 checks passed")
sys.exit(1 if failures else 0)
