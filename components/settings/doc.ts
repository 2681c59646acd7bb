/** `npm run settings-doc`: rewrites Pulumi.yaml's config block from the settings schema. */
import * as fs from "fs";
import * as path from "path";
import { pulumiYamlConfigBlock } from "./stack";

/** Pulumi.yaml with its config block (from `# Every setting` to the end) replaced. */
export function withConfigBlock(pulumiYaml: string): string {
  const at = pulumiYaml.indexOf("# Every setting of the stacks");
  return (at < 0 ? pulumiYaml.trimEnd() + "\n" : pulumiYaml.slice(0, at)) + pulumiYamlConfigBlock();
}

if (require.main === module) {
  const file = path.resolve(__dirname, "..", "..", "..", "Pulumi.yaml");
  fs.writeFileSync(file, withConfigBlock(fs.readFileSync(file, "utf8")));
  console.log(`rewrote the config block of ${file}`);
}
