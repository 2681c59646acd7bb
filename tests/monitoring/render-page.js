// Renders a fixture observation (fixtures/*.json) into the status page through the compiled
// status code (`tsc -p tsconfig.cli.json` puts it in bin/): the same evaluation and renderer as
// `npm run status -- --html FILE`.
//   node tests/monitoring/render-page.js FIXTURE OUT.html
"use strict";
const fs = require("fs");
const path = require("path");
const bin = path.join(__dirname, "..", "..", "bin", "ops", "status");
const { evaluateStatus } = require(path.join(bin, "status.js"));
const { renderStatusHtml } = require(path.join(bin, "html.js"));
const { STATUS_THRESHOLD_DEFAULTS } = require(path.join(bin, "thresholds.js"));

const [fixture, out] = process.argv.slice(2);
if (!fixture || !out) {
  console.error("usage: node render-page.js FIXTURE OUT.html");
  process.exit(2);
}
const { previous, ...observation } = JSON.parse(fs.readFileSync(fixture, "utf8"));
const report = evaluateStatus({ ...observation, at: new Date(observation.at) }, STATUS_THRESHOLD_DEFAULTS, previous ?? null);
fs.writeFileSync(out, renderStatusHtml(report));
