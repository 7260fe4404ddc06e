"""The part of Google Cloud Storage's XML API that object_store (zlint's gs:// client) speaks,
served over gcp-storage-emulator's JSON API.

gcp-storage-emulator implements GCS's JSON API, which the Google client libraries and
tensorstore use. object_store uses the XML API instead, of which the emulator serves only GET
and an unconditional PUT, without the ETag, Last-Modified and x-goog-generation headers object_store
requires, and without listing, HEAD, DELETE or conditional writes. This gateway answers those five
requests the way GCS documents them, each by one or two calls of the emulator's JSON API, so that
what zlint writes is stored by the emulator and read back by other clients through its JSON API.

Conditional writes (`x-goog-if-generation-match`, which zlint's part leases rely on) are checked
and carried out under one lock, which makes them atomic as GCS's are.

Usage: `start(emulator_url) -> gateway_url`, from tests/cloud/check.py."""

import email.utils
import http.client
import http.server
import json
import threading
import urllib.parse
from datetime import datetime
from xml.sax.saxutils import escape

_LOCK = threading.Lock()


def _quote(key):
    return urllib.parse.quote(key, safe="")


class _Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator = None  # (host, port), set by start()

    def _json_api(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(*self.emulator)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response, data

    def _meta(self, bucket, key):
        """The object's JSON resource, or None when it does not exist."""
        response, data = self._json_api("GET", f"/storage/v1/b/{bucket}/o/{_quote(key)}")
        return json.loads(data) if response.status == 200 else None

    def _reply(self, status, headers=(), body=b""):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status, code):
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>".encode()
        self._reply(status, [("Content-Type", "application/xml")], body)

    @staticmethod
    def _object_headers(meta):
        updated = datetime.fromisoformat(meta["updated"].replace("Z", "+00:00"))
        return [
            ("ETag", f'"{meta["etag"]}"'),
            ("Last-Modified", email.utils.format_datetime(updated, usegmt=True)),
            ("x-goog-generation", meta["generation"]),
        ]

    def _split(self):
        url = urllib.parse.urlsplit(self.path)
        bucket, _, key = url.path.lstrip("/").partition("/")
        return bucket, urllib.parse.unquote(key), urllib.parse.parse_qs(url.query)

    def do_GET(self):
        bucket, key, query = self._split()
        if not key:
            return self._list(bucket, query)
        meta = self._meta(bucket, key)
        if meta is None:
            return self._error(404, "NoSuchKey")
        headers = {"Range": self.headers["Range"]} if self.headers["Range"] else {}
        response, data = self._json_api(
            "GET", f"/download/storage/v1/b/{bucket}/o/{_quote(key)}?alt=media", headers=headers)
        extra = [("Content-Range", response.getheader("Content-Range"))] if response.status == 206 else []
        self._reply(response.status, self._object_headers(meta) + extra, data)

    def do_HEAD(self):
        bucket, key, _ = self._split()
        meta = self._meta(bucket, key)
        if meta is None:
            return self._error(404, "NoSuchKey")
        self.send_response(200)
        for name, value in self._object_headers(meta):
            self.send_header(name, value)
        self.send_header("Content-Length", meta["size"])
        self.end_headers()

    def do_PUT(self):
        bucket, key, _ = self._split()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers["x-goog-copy-source"]:
            return self._error(501, "NotImplemented")
        expected = self.headers["x-goog-if-generation-match"]
        with _LOCK:
            if expected is not None:
                meta = self._meta(bucket, key)
                current = meta["generation"] if meta else "0"
                if current != expected:
                    return self._error(412, "PreconditionFailed")
            response, data = self._json_api(
                "POST", f"/upload/storage/v1/b/{bucket}/o?uploadType=media&name={_quote(key)}", body,
                {"Content-Type": "application/octet-stream"})
        if response.status != 200:
            return self._error(response.status, "NoSuchBucket" if response.status == 404 else "InternalError")
        self._reply(200, self._object_headers(json.loads(data)))

    def do_DELETE(self):
        bucket, key, _ = self._split()
        with _LOCK:
            response, _ = self._json_api("DELETE", f"/storage/v1/b/{bucket}/o/{_quote(key)}")
        if response.status == 404:
            return self._error(404, "NoSuchKey")
        self._reply(204)

    def _list(self, bucket, query):
        args = {name: query[name][0] for name in ("prefix", "delimiter") if name in query}
        response, data = self._json_api("GET", f"/storage/v1/b/{bucket}/o?{urllib.parse.urlencode(args)}")
        if response.status != 200:
            return self._error(404, "NoSuchBucket")
        listing = json.loads(data)
        after = query.get("start-after", [""])[0]
        items = sorted((item for item in listing.get("items") or [] if item["name"] > after),
                       key=lambda item: item["name"])
        contents = "".join(
            f"<Contents><Key>{escape(item['name'])}</Key><Size>{item['size']}</Size>"
            f"<LastModified>{item['updated']}</LastModified><ETag>\"{item['etag']}\"</ETag></Contents>"
            for item in items)
        prefixes = "".join(f"<CommonPrefixes><Prefix>{escape(p)}</Prefix></CommonPrefixes>"
                           for p in sorted(listing.get("prefixes") or []))
        body = ("<?xml version='1.0' encoding='UTF-8'?><ListBucketResult><Name>" + escape(bucket) +
                "</Name><IsTruncated>false</IsTruncated>" + contents + prefixes + "</ListBucketResult>")
        self._reply(200, [("Content-Type", "application/xml")], body.encode())

    def log_message(self, *args):
        pass


def start(emulator_url):
    """Serves the gateway on a free loopback port in a daemon thread; returns its URL."""
    url = urllib.parse.urlsplit(emulator_url)
    handler = type("Gateway", (_Gateway,), {"emulator": (url.hostname, url.port)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"
