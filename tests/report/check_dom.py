"""Checks the DOM headless Chromium built from a zlint report against the page zlint wrote:
every chart the page has is in the DOM (nothing swallowed by a parse error), every <use> names a
grid defined in the page, and each array has its grid drawings and findings.

Usage: python3 check_dom.py PAGE.html PAGE.dom
"""

import sys
from html.parser import HTMLParser


class Elements(HTMLParser):
    """Every element's tag and attributes, and the nesting depth of each chart."""

    def __init__(self) -> None:
        super().__init__()
        self.elements = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes, tuple(t for t, _ in self.stack)))
        if tag not in {"meta", "br", "input", "link"}:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def parse(path: str) -> Elements:
    parser = Elements()
    with open(path, encoding="utf-8") as f:
        parser.feed(f.read())
    return parser


def classes(elements, name):
    return [e for e in elements if name in (e[1].get("class") or "").split()]


def main(page_path: str, dom_path: str) -> int:
    page, dom = parse(page_path).elements, parse(dom_path).elements
    failures = []
    for chart in ["scale", "grid", "level", "presence", "histogram", "plate"]:
        written = len([e for e in classes(page, "chart") if chart in e[1]["class"].split()])
        built = len([e for e in classes(dom, "chart") if chart in e[1]["class"].split()])
        if written != built:
            failures.append(f"{chart} charts: {written} written, {built} in the DOM")
    if not classes(dom, "scale"):
        failures.append("no guidance scale chart")
    # Charts must not nest inside one another (an unclosed SVG element would do that).
    for tag, attributes, ancestors in dom:
        if tag == "svg" and "svg" in ancestors:
            failures.append(f"an svg inside an svg: {attributes}")
            break
    ids = {e[1]["id"] for e in dom if "id" in e[1]}
    for tag, attributes, _ in dom:
        if tag == "use":
            target = attributes.get("href", "")
            if not target.startswith("#") or target[1:] not in ids:
                failures.append(f"<use href={target!r}> names no element")
    arrays = classes(dom, "array")
    if not arrays:
        failures.append("no array sections")
    for section in ["summary", "scale", "arrays"]:
        if section not in ids:
            failures.append(f"no #{section}")
    for failure in failures:
        print(f"FAIL {page_path}: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
