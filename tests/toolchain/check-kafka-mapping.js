// Compares what the bridged kafka plugin reports (`pulumi package get-mapping
// terraform kafka@<v>` output, the file given as argv[2]) with the @pulumi/kafka
// npm package: every resource/function token and every input property the SDK
// can send must exist in the plugin, and vice versa.
// Prints one "ok - " / "not ok - " line per check; exits 1 on any failure.
"use strict";
const fs = require("fs");
const path = require("path");

const mapping = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const pkgDir = path.dirname(require.resolve("@pulumi/kafka/package.json", { paths: [process.cwd()] }));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));

let failed = 0;
const report = (good, what, detail) => {
  if (!good) failed++;
  console.log(`${good ? "ok" : "not ok"} - kafka plugin: ${what}${!good && detail ? ` (${detail})` : ""}`);
};

// The bridge names a Terraform attribute by camel-casing it unless the mapping renames it.
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const pulumiNames = (tfSchema, fields) =>
  Object.keys(tfSchema || {}).map((k) => (fields && fields[k] && fields[k].name) || camel(k)).sort();

// Property names of `export interface <name> { ... }` in a .d.ts file.
const interfaceProps = (file, name) => {
  const src = fs.readFileSync(path.join(pkgDir, file), "utf8");
  const body = src.match(new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`));
  if (!body) throw new Error(`${file}: interface ${name} not found`);
  return [...body[1].matchAll(/^\s+(?:readonly\s+)?([A-Za-z0-9_]+)\??:/gm)].map((m) => m[1]).sort();
};
// Top-level `export declare const x` of config/vars.d.ts.
const configVars = () => {
  const src = fs.readFileSync(path.join(pkgDir, "config/vars.d.ts"), "utf8");
  return [...src.matchAll(/^export declare const ([A-Za-z0-9_]+):/gm)].map((m) => m[1]).sort();
};
// Token a generated .js file registers or invokes.
const tokenOf = (file) => {
  const src = fs.readFileSync(path.join(pkgDir, file), "utf8");
  const m = src.match(/__pulumiType = '([^']+)'/) || src.match(/runtime\.invoke\("([^"]+)"/);
  return m && m[1];
};
const diff = (a, b) => {
  const missing = b.filter((x) => !a.includes(x));
  const extra = a.filter((x) => !b.includes(x));
  return [missing.length ? `missing: ${missing.join(", ")}` : "", extra.length ? `not in SDK: ${extra.join(", ")}` : ""]
    .filter(Boolean).join("; ");
};

report(mapping.name === pkg.pulumi.name, `name is "${pkg.pulumi.name}"`, `got ${mapping.name}`);
report(mapping.version === pkg.pulumi.version, `version is ${pkg.pulumi.version} (= @pulumi/kafka)`, `got ${mapping.version}`);

const provider = mapping.provider || {};
const byToken = {};
for (const [tf, info] of Object.entries(mapping.resources || {})) {
  byToken[info.tok] = { tf, info, schema: (provider.resources || {})[tf] };
}
const fnByToken = {};
for (const [tf, info] of Object.entries(mapping.dataSources || {})) fnByToken[info.tok] = tf;

// Resources the SDK defines, with the .d.ts interface listing their inputs.
const sdkResources = [
  ["topic.js", "topic.d.ts", "TopicArgs"],
  ["acl.js", "acl.d.ts", "AclArgs"],
  ["userScramCredential.js", "userScramCredential.d.ts", "UserScramCredentialArgs"],
  ["quota.js", "quota.d.ts", "QuotaArgs"],
];
for (const [js, dts, args] of sdkResources) {
  const tok = tokenOf(js);
  const r = byToken[tok];
  report(Boolean(r), `serves resource ${tok}`, "no such token in the plugin's mapping");
  if (!r) continue;
  const d = diff(pulumiNames(r.schema, r.info.fields), interfaceProps(dts, args));
  report(d === "", `${tok} has exactly the inputs of ${args}`, d);
  delete byToken[tok];
}
report(Object.keys(byToken).length === 0, "serves no resource the SDK lacks", Object.keys(byToken).join(", "));

for (const js of ["getTopic.js", "getTopics.js"]) {
  const tok = tokenOf(js);
  report(Boolean(fnByToken[tok]), `serves function ${tok}`, "no such token in the plugin's mapping");
}

const d = diff(pulumiNames(provider.schema, (mapping.provider || {}).fields), configVars());
report(d === "", "provider config keys equal @pulumi/kafka's config", d);

process.exit(failed ? 1 : 0);
