"""The report's style stays inside the report: a page that shows it (a notebook output) keeps its
own look. Two host pages, one with the report's <style> and body inserted as a notebook inserts
an HTML output, one without; a script in each writes the computed style of the host's own
elements (and of the report's heading) into the page, which Chromium's --dump-dom prints.

  python3 check_scoped.py make REPORT.html DIR      writes DIR/plain.html and DIR/with.html
  python3 check_scoped.py compare PLAIN.dom WITH.dom
"""

import json
import re
import sys
from pathlib import Path

HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ font: 16px/1.2 serif; margin: 20px; color: rgb(10, 20, 30); background: rgb(250, 250, 240); }}
h1 {{ font-size: 40px; }}
</style></head><body>
<h1 id="h1">Notebook</h1><h2 id="h2">Cell</h2><p id="p">text <code id="code">code</code></p>
<table id="table"><tr><th id="th">a</th><td id="td">b</td></tr></table><ul id="ul"><li>i</li></ul>
{report}
<pre id="result"></pre>
<script>
const props = ["font-size", "font-family", "line-height", "color", "background-color", "margin-top",
  "margin-left", "padding-top", "border-bottom-width", "border-collapse", "box-sizing", "max-width"];
const seen = {{}};
for (const id of ["h1", "h2", "p", "code", "table", "th", "td", "ul"]) {{
  const style = getComputedStyle(document.getElementById(id));
  seen[id] = Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)]));
}}
const style = getComputedStyle(document.body);
seen["body"] = Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)]));
const inner = document.querySelector(".zlint-report h1");
seen["report-h1"] = inner ? getComputedStyle(inner).getPropertyValue("font-size") : null;
document.getElementById("result").textContent = JSON.stringify(seen);
</script></body></html>"""


def make(report: Path, out: Path) -> None:
    page = report.read_text()
    style = re.search(r"<style>.*?</style>", page, re.S).group(0)
    body = re.search(r"<body[^>]*>(.*)</body>", page, re.S).group(1)
    (out / "plain.html").write_text(HOST.format(report=""))
    (out / "with.html").write_text(HOST.format(report=style + body))


def result(dom: Path) -> dict:
    text = re.search(r'<pre id="result">(.*?)</pre>', dom.read_text(), re.S).group(1)
    return json.loads(text.replace("&quot;", '"').replace("&amp;", "&"))


def compare(plain: Path, with_report: Path) -> int:
    before, after = result(plain), result(with_report)
    problems = [
        f"{element} {prop}: {before[element][prop]!r} became {after[element][prop]!r}"
        for element in before
        if element != "report-h1"
        for prop in before[element]
        if before[element][prop] != after[element][prop]
    ]
    if after["report-h1"] in (None, before["h1"]["font-size"]):
        problems.append(f"the report's own style did not apply (its h1: {after['report-h1']})")
    for problem in problems:
        print(f"FAIL scoped style: {problem}")
    if not problems:
        print(f"ok scoped style: {len(before)} host elements unchanged, the report's h1 at "
              f"{after['report-h1']}")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
