import fc from "fast-check";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { aclResourceName, AclBinding } from "./kafka/acl";
import { propertiesFile } from "./connect/worker";
import { envFile } from "./facility/bundle";
import { contentName, slugify } from "./naming";

describe("content names", () => {
  it("are Pulumi-safe and never shared by two contents", () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (a, b) => {
      const na = contentName("topic-", a);
      expect(na).toMatch(/^topic-[a-z0-9-]*$/);
      if (a !== b) expect(contentName("topic-", b)).not.toBe(na);
    }), { numRuns: 2000 });
  });
  it("keep a name that slugify does not change (no resource renamed)", () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/), (s) => {
      expect(contentName("p-", s)).toBe(`p-${slugify(s)}`);
    }));
  });
  it("give ACLs that differ in any field different names", () => {
    const acl = fc.record({
      principal: fc.string({ minLength: 1, maxLength: 30 }).map((s) => `User:${s}`),
      resourceType: fc.constantFrom("Topic", "Group", "Cluster", "TransactionalID"),
      resourceName: fc.string({ maxLength: 120 }),
      patternType: fc.constantFrom("Literal", "Prefixed"),
      operation: fc.constantFrom("Read", "Write", "Describe", "Create", "Alter", "All"),
      permission: fc.constantFrom("Allow", "Deny"),
      host: fc.constantFrom("*", "10.0.0.1"),
    }) as fc.Arbitrary<AclBinding>;
    fc.assert(fc.property(acl, acl, (a, b) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) expect(aclResourceName(a)).not.toBe(aclResourceName(b));
    }), { numRuns: 2000 });
  });
});

describe("the writers of secrets files", () => {
  it(".properties files load back exactly in Java (java.util.Properties), whatever the value", () => {
    const values = fc.sample(fc.string({ unit: "binary", maxLength: 40 }), 300);
    values.push("\\", "=:#!", " lead", "trail ", "a\nb", "\r\t\f", "ü€😀", "${file:/x:y}", "");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "props-"));
    const file = path.join(dir, "p.properties");
    fs.writeFileSync(file, propertiesFile(Object.fromEntries(values.map((v, i) => [`k${i}`, v]))), "utf8");
    // Prints each loaded value as UTF-16 code units in hex, one key per line.
    fs.writeFileSync(path.join(dir, "Load.java"), [
      "import java.io.*; import java.nio.charset.StandardCharsets; import java.util.*;",
      "public class Load { public static void main(String[] a) throws Exception { Properties p = new Properties();",
      "try (Reader r = new InputStreamReader(new FileInputStream(a[0]), StandardCharsets.UTF_8)) { p.load(r); }",
      "for (int i = 0; i < Integer.parseInt(a[1]); i++) { String v = p.getProperty(\"k\" + i); StringBuilder b = new StringBuilder();",
      "if (v == null) { b.append(\"null\"); } else { for (char c : v.toCharArray()) b.append(String.format(\"%04x \", (int) c)); }",
      "System.out.println(b.toString().trim()); } } }",
    ].join("\n"));
    const out = execFileSync("java", [path.join(dir, "Load.java"), file, String(values.length)], { encoding: "utf8" }).split("\n");
    values.forEach((v, i) => {
      const units = [...Array(v.length).keys()].map((j) => v.charCodeAt(j).toString(16).padStart(4, "0")).join(" ");
      expect(`${i}: ${out[i]}`).toBe(`${i}: ${units}`);
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  it("compose .env values read back literally (single quotes, or double quotes with escapes)", () => {
    // Compose's .env rules: '…' is literal; "…" unescapes \\ and \", and $$ is a literal $.
    const read = (line: string) => {
      const v = line.slice(line.indexOf("=") + 1);
      if (v.startsWith("'")) return v.slice(1, -1);
      if (v.startsWith('"')) return v.slice(1, -1).replace(/\$\$/g, "$").replace(/\\(.)/g, "$1");
      return v;
    };
    fc.assert(fc.property(fc.string({ maxLength: 40 }).filter((s) => !/[\n\r]/.test(s)), (v) => {
      const line = envFile({ X: v }, []).trimEnd();
      expect(read(line)).toBe(v);
    }), { numRuns: 1000 });
  });
});
