"""A hostile web server for zlint's http:// tests (loopback only). Each top folder misbehaves in
one way; below it, the files of DIR are served (with byte ranges) so that everything else about
a store is right. Usage: python tests/http/hostile.py DIR PORT

  /garbage/...     every body is random bytes
  /short/...       declares the whole length, sends half, closes
  /badrange/...    answers a range request with 206 and a Content-Range of other bytes
  /redirect/...    redirects to itself, forever
  /error/...       answers 503 to everything
  /drip/...        sends the headers, then one byte a second, never the rest
  /huge/...        every chunk answered with 512 MiB of zeros, ranges ignored
  /ok/...          behaves
"""

import http.server
import os
import re
import sys
import time

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def file(self, rest):
        path = os.path.join(ROOT, rest.lstrip("/"))
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def send(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        mode, _, rest = self.path.lstrip("/").partition("/")
        data = self.file(rest)
        if mode == "redirect":
            self.send(302, b"", [("Location", self.path)])
            return
        if mode == "error":
            self.send(503, b"busy")
            return
        if data is None:
            self.send(404, b"")
            return
        rng = self.headers.get("Range")
        if mode == "garbage":
            self.send(200, os.urandom(len(data) or 16))
            return
        if mode == "short":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        if mode == "drip":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data) + 1000))
            self.end_headers()
            if self.command == "HEAD":
                return
            try:
                for _ in range(600):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "huge" and "/c/" in rest:
            # 512 MiB for a chunk of a few KiB, whatever range was asked.
            self.send_response(200)
            self.send_header("Content-Length", str(512 << 20))
            self.end_headers()
            if self.command == "HEAD":
                return
            try:
                for _ in range(8192):
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                pass
            self.close_connection = True
            return
        if rng:
            m = re.match(r"bytes=(\d*)-(\d*)", rng)
            a = int(m.group(1)) if m.group(1) else len(data) - int(m.group(2))
            b = int(m.group(2)) if m.group(1) and m.group(2) else len(data) - 1
            part = data[a : b + 1]
            if mode == "badrange":
                shown = f"bytes {a + 1}-{a + len(part)}/{len(data)}"
            else:
                shown = f"bytes {a}-{a + len(part) - 1}/{len(data)}"
            self.send(206, part, [("Content-Range", shown)])
            return
        self.send(200, data)


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
