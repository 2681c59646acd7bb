/**
 * Facility files from the command line (`npm run facility -- <command>`):
 *
 *   validate [--stack S]                  every facilities/*.yaml, one line per problem; with a
 *                                         stack, referenced secrets must be set in it
 *   plan <slug> [--stack S]               the connector config the facility's agent registers
 *   bundle <slug> --out DIR [--stack S] [--write-env PATH]
 *                                         the compose bundle for a site without SSH; with
 *                                         --write-env, also a filled .env (passwords) at PATH only
 *
 * Common: --dir DIR (default facilities), --config-file F (a stack config file other than
 * Pulumi.<stack>.yaml). Without --stack, Kafka settings come from --bootstrap h:p[,h:p] --tls
 * true|false --replication-factor N --partitions N --image REF.
 */
import * as fs from "fs";
import * as path from "path";
import { FacilityConfigError } from "../../components/facility/config";
import { filledEnvFile, planComposeBundle } from "../../components/facility/bundle";
import { readFacilityFiles } from "../../components/facility/files";
import { facilityNames, FacilityKafka, planSourceConnectorConfig } from "../../components/facility/plan";
import { sortedJson } from "../../components/json";
import { UsageError, parseArgs, pulumiRunner, readStackConfig, runMain } from "../lib/stack";

function main(argv: string[]): number {
  const { positional, flags } = parseArgs(argv);
  const [command, slug] = positional;
  const stack = flags.stack;
  const pulumi = pulumiRunner(stack, flags["config-file"]);
  const config = stack ? readStackConfig(stack, flags["config-file"]) : undefined;
  const setting = (key: string): unknown => config?.get(key);
  const dir = flags.dir ?? String(setting("facilitiesDir") ?? "facilities");
  const secretIsSet = config ? config.has : () => true;
  const facilities = readFacilityFiles(dir, secretIsSet);

  if (command === "validate") {
    console.log(`${facilities.length} facility file(s) in ${dir} are valid: ${facilities.map((f) => f.slug).join(", ") || "none"}`);
    return 0;
  }
  const facility = facilities.find((f) => f.slug === slug);
  if (!facility) throw new UsageError(`no facility "${slug ?? ""}" in ${dir}; give the slug (file name without .yaml) of one of: ${facilities.map((f) => f.slug).join(", ")}`);

  const bool = (v: unknown, fallback: boolean) => v === undefined ? fallback : String(v) === "true";
  const kafka: FacilityKafka = {
    bootstrap: flags.bootstrap?.split(",") ?? (setting("facilityKafkaBootstrapServers") ?? setting("kafkaBootstrapServers") ?? []) as string[],
    tls: bool(flags.tls ?? setting("kafkaTlsEnabled"), true),
    replicationFactor: Number(flags["replication-factor"] ?? setting("replicationFactor") ?? 1),
  };
  if (!kafka.bootstrap.length) throw new UsageError("no Kafka bootstrap servers: give --stack or --bootstrap host:port");
  const partitions = Number(flags.partitions ?? setting("dataTopicPartitions") ?? 6);
  const names = facilityNames(facility, stack ?? "central");

  if (command === "plan") {
    process.stdout.write(sortedJson(planSourceConnectorConfig(facility, names, kafka, partitions)) + "\n");
    return 0;
  }
  if (command === "bundle") {
    const out = flags.out;
    if (!out) throw new UsageError("bundle needs --out DIR");
    const image = flags.image ?? String(setting("facilityImage") ?? setting("connectImage") ?? "");
    if (!image) throw new UsageError("no image: give --stack or --image REF");
    const bundle = planComposeBundle(facility, names, kafka, image, partitions);
    for (const [rel, content] of Object.entries(bundle.files)) {
      fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      fs.writeFileSync(path.join(out, rel), content);
    }
    console.log(`wrote the compose bundle of ${facility.slug} to ${out}`);
    if (flags["write-env"]) {
      if (!stack) throw new UsageError("--write-env needs --stack (the passwords come from the stack)");
      const passwords = JSON.parse(pulumi.run("stack", "output", "facilityKafkaPasswords", "--show-secrets", "--json")) as Record<string, string>;
      if (!passwords[facility.slug]) throw new UsageError(`the stack has no Kafka password for ${facility.slug} yet: run pulumi up first`);
      const databasePassword = pulumi.config("get", facility.source.passwordSecret).replace(/\n$/, "");
      fs.writeFileSync(flags["write-env"], filledEnvFile(passwords[facility.slug], databasePassword), { mode: 0o600 });
      console.log(`wrote the filled .env to ${flags["write-env"]} (mode 600)`);
    }
    return 0;
  }
  throw new UsageError(`unknown command "${command ?? ""}": use validate, plan or bundle`);
}

runMain(() => main(process.argv.slice(2)), (e) => e instanceof FacilityConfigError);
