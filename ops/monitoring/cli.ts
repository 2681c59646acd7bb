/**
 * The monitoring login (`npm run monitoring -- login --stack S --out FILE [--config-file F]`):
 * writes the stack's read-only monitoring credentials (its `monitoringLogin` output) to FILE,
 * mode 600. Run once on the operations host as the admin; from then on cron runs
 *   npm run status -- --stack S --login FILE --prometheus ...
 * with no admin credential and no stack passphrase.
 */
import { MonitoringLogin, writeLoginFile } from "../lib/login";
import { UsageError, parseArgs, pulumiRunner, runMain } from "../lib/stack";

function main(argv: string[]): number {
  const { positional, flags } = parseArgs(argv);
  if (positional[0] !== "login") throw new UsageError(`unknown command "${positional[0] ?? ""}": use login`);
  if (!flags.stack || !flags.out) throw new UsageError("login needs --stack S and --out FILE");
  const pulumi = pulumiRunner(flags.stack, flags["config-file"]);
  const login = JSON.parse(pulumi.run("stack", "output", "monitoringLogin", "--show-secrets", "--json")) as MonitoringLogin;
  writeLoginFile(flags.out, login);
  console.log(`wrote the monitoring login of stack ${flags.stack} to ${flags.out} (mode 600): Kafka user ${login.kafka.user}, PostgreSQL role ${login.warehouse.user}`);
  return 0;
}

runMain(() => main(process.argv.slice(2)), () => false);
