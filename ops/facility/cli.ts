/**
 * Facility files from the command line (`npm run facility -- <command>`):
 *
 *   validate [--stack S]                  every facilities/*.yaml, one line per problem; with a
 *                                         stack, referenced secrets must be set in it (as secrets)
 *   plan <slug> [--stack S]               the connector config the facility's agent registers
 *   bundle <slug> --out DIR [--stack S] [--write-env PATH]
 *                                         the compose bundle for a site without SSH; with
 *                                         --write-env, also a filled .env (passwords, mode 600) at PATH only
 *
 * Common: --dir DIR (default: the stack's facilitiesDir, else facilities), --config-file F (a
 * stack config file other than Pulumi.<stack>.yaml). Without --stack, Kafka settings come from
 * --bootstrap h:p[,h:p] --tls true|false --replication-factor N --partitions N --image REF.
 * Without --stack no secret is read: validation runs with no secret at all.
 */
import * as fs from "fs";
import * as path from "path";
import { filledEnvFile } from "../../components/facility/bundle";
import { sortedJson } from "../../components/json";
import { planSystem } from "../../components/plan/system";
import { FacilityConfigError } from "../../components/settings/facility";
import { readFacilityFiles } from "../../components/settings/files";
import { ANY_SECRET, SettingsError, StackSettings, secretLookup, settingsFor } from "../../components/settings/stack";
import { UsageError, parseArgs, pulumiRunner, readStackSettings, runMain } from "../lib/stack";

/** Settings from the stack, or from flags when there is none (a plan needs no secret). */
function settingsOf(flags: Record<string, string>): { stack: string; settings: StackSettings; fromStack: boolean } {
  if (flags.stack) return { ...readStackSettings(flags.stack, flags["config-file"]), fromStack: true };
  const given: Record<string, string> = {};
  if (flags.bootstrap) given.kafkaBootstrapServers = JSON.stringify(flags.bootstrap.split(","));
  if (flags.tls) given.kafkaTlsEnabled = flags.tls;
  if (flags["replication-factor"]) given.replicationFactor = flags["replication-factor"];
  if (flags.partitions) given.dataTopicPartitions = flags.partitions;
  if (flags.image) given.connectImage = flags.image;
  return { stack: "central", settings: settingsFor(given), fromStack: false };
}

/** Writes a file readable by its owner only, whatever was there before. */
function writePrivate(file: string, content: string): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
  try {
    // An existing file keeps its mode on open: take it to 600 before a byte is written.
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

function main(argv: string[]): number {
  const { positional, flags } = parseArgs(argv);
  const [command, slug] = positional;
  if (!["validate", "plan", "bundle"].includes(command ?? "")) throw new UsageError(`unknown command "${command ?? ""}": use validate, plan or bundle`);
  if (command !== "validate" && !flags.stack && !flags.bootstrap) throw new UsageError("no Kafka bootstrap servers: give --stack or --bootstrap host:port");
  const { stack, settings, fromStack } = settingsOf(flags);
  const dir = flags.dir ?? settings.facilitiesDir;
  const facilities = readFacilityFiles(dir, fromStack ? secretLookup(settings) : ANY_SECRET);

  if (command === "validate") {
    console.log(`${facilities.length} facility file(s) in ${dir} are valid: ${facilities.map((f) => f.slug).join(", ") || "none"}`);
    return 0;
  }
  const plan = planSystem(settings, facilities, stack).facilities.find((p) => p.facility.slug === slug);
  if (!plan) throw new UsageError(`no facility "${slug ?? ""}" in ${dir}; give the slug (file name without .yaml) of one of: ${facilities.map((f) => f.slug).join(", ")}`);

  if (command === "plan") {
    process.stdout.write(sortedJson(plan.connectorConfig) + "\n");
    return 0;
  }
  const out = flags.out;
  if (!out) throw new UsageError("bundle needs --out DIR");
  if (!fromStack && !flags.image) throw new UsageError("no image: give --stack or --image REF");
  for (const [rel, content] of Object.entries(plan.bundle.files)) {
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel), content);
  }
  console.log(`wrote the compose bundle of ${plan.facility.slug} to ${out}`);
  if (flags["write-env"]) {
    if (!fromStack) throw new UsageError("--write-env needs --stack (the passwords come from the stack)");
    const pulumi = pulumiRunner(stack, flags["config-file"]);
    const output = (name: string) => JSON.parse(pulumi.run("stack", "output", name, "--show-secrets", "--json")) as Record<string, string>;
    const passwords = output("facilityKafkaPasswords");
    const signingKeys = output("facilitySigningKeys");
    if (!passwords[plan.facility.slug] || !signingKeys[plan.facility.slug]) throw new UsageError(`the stack has no Kafka password or signing key for ${plan.facility.slug} yet: run pulumi up first`);
    const databasePassword = pulumi.config("get", plan.facility.source.passwordSecret).replace(/\n$/, "");
    writePrivate(flags["write-env"], filledEnvFile(passwords[plan.facility.slug], databasePassword, signingKeys[plan.facility.slug]));
    console.log(`wrote the filled .env to ${flags["write-env"]} (mode 600)`);
  }
  return 0;
}

runMain(() => main(process.argv.slice(2)), (e) => e instanceof FacilityConfigError || e instanceof SettingsError);
