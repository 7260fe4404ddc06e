"""A static HTTP server with byte ranges (as nginx or a bucket's website endpoint serves files),
for zlint's http:// tests. Usage: python tests/http/serve.py DIR PORT"""
import http.server, os, re, sys
class H(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        path = self.translate_path(self.path)
        rng = self.headers.get("Range")
        if not rng or not os.path.isfile(path):
            return super().send_head()
        m = re.match(r"bytes=(\d*)-(\d*)", rng)
        data = open(path, "rb").read()
        a = int(m.group(1)) if m.group(1) else len(data) - int(m.group(2))
        b = int(m.group(2)) if m.group(1) and m.group(2) else len(data) - 1
        part = data[a:b + 1]
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {a}-{a + len(part) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        import io
        return io.BytesIO(part)
os.chdir(sys.argv[1])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), H).serve_forever()
