"""A static HTTP server (byte ranges, no listing) that waits DELAY_MS before answering each
request and logs every requested path, one a line, to LOG: a web server far away, for
benches/http_plate.sh. Usage: python benches/delay_server.py DIR PORT DELAY_MS LOG"""

import http.server
import os
import re
import sys
import threading
import time

ROOT, PORT, DELAY, LOG = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1000, sys.argv[4]
lock = threading.Lock()
in_flight = [0, 0]  # now, most at once


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_head(self):
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
            with open(LOG, "a") as log:
                log.write(f"{self.command} {self.path} {in_flight[1]}\n")
        try:
            time.sleep(DELAY)
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                self.send_error(404)  # no listing, as a bucket's website endpoint
                return None
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
        finally:
            with lock:
                in_flight[0] -= 1


class Server(http.server.ThreadingHTTPServer):
    # A listen backlog as a production server keeps (nginx: 511); Python's default of 5 drops
    # connections when many requests arrive at once, and the client waits a second to retry.
    request_queue_size = 511


os.chdir(ROOT)
Server(("127.0.0.1", PORT), Handler).serve_forever()
