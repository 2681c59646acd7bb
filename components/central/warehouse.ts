import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import * as command from "@pulumi/command";
import { WarehousePlan } from "../plan/system";
import { rlsSql } from "./rls";
import { derivedPassword } from "../secrets/derived";

/** Inputs of {@link CentralWarehouse}. */
export interface CentralWarehouseArgs {
  /** A PostgreSQL provider logged in as an admin that may create databases and roles. */
  provider: postgresql.Provider;
  /** The warehouse's names, from the system plan. */
  plan: Pick<WarehousePlan, "database" | "schema" | "sinkRole" | "analystRole" | "monitorRole" | "rls">;
  /**
   * How the admin reaches the warehouse from where Pulumi runs, for the row-level security SQL
   * (psql): host, port, user, its password (secret), sslmode and the CA file.
   */
  admin: { host: string; port: number; user: string; password: pulumi.Input<string>; sslmode: string; caFile?: string };
  /** The stack's secret `credentialSeed`; the sink role's password is derived from it. */
  credentialSeed: pulumi.Input<string>;
  /** Bump to rotate the sink role's password. */
  sinkPasswordGeneration: number;
  /** Bump to rotate the monitoring role's password. */
  monitorPasswordGeneration: number;
}

/**
 * The warehouse side: the database, a sink login role that may create and change tables in the
 * warehouse schema only, and a read-only analyst group role. No superuser in the data path.
 */
export class CentralWarehouse extends pulumi.ComponentResource {
  public readonly database: pulumi.Output<string>;
  public readonly sinkRole: pulumi.Output<string>;
  /** The sink role's password: a secret. */
  public readonly sinkPassword: pulumi.Output<string>;
  public readonly analystRole: pulumi.Output<string>;
  /** The monitoring role's password: a secret. */
  public readonly monitorPassword: pulumi.Output<string>;
  /** Each facility-scoped reader's password (role → password): a secret. */
  public readonly readerPasswords: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: CentralWarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:central:Warehouse", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const names = args.plan;
    const schema = names.schema;

    const password = derivedPassword(args.credentialSeed, `postgresql:${names.sinkRole}`, args.sinkPasswordGeneration);
    const sink = new postgresql.Role("sink-role", { name: names.sinkRole, login: true, password }, child);
    const analyst = new postgresql.Role("analyst-role", { name: names.analystRole, login: false }, child);
    // Depends on the roles so that a destroy drops the database (and the sink's tables in it)
    // before the roles that own them.
    const db = new postgresql.Database("warehouse", { name: names.database }, { ...child, dependsOn: [sink, analyst] });

    const grant = (resource: string, role: postgresql.Role, objectType: string, privileges: string[]) =>
      new postgresql.Grant(resource, { database: db.name, schema, role: role.name, objectType, privileges }, child);
    // The sink connects, and creates and alters its tables (schema.evolution=basic) in the schema only.
    grant("sink-connect", sink, "database", ["CONNECT"]);
    grant("sink-schema", sink, "schema", ["CREATE", "USAGE"]);
    // Analysts read, nothing else: tables there now, and every table the sink creates later.
    grant("analyst-connect", analyst, "database", ["CONNECT"]);
    grant("analyst-schema", analyst, "schema", ["USAGE"]);
    grant("analyst-tables", analyst, "table", ["SELECT"]);
    new postgresql.DefaultPrivileges("analyst-future-tables", {
      database: db.name, schema, owner: sink.name, role: analyst.name, objectType: "table", privileges: ["SELECT"],
    }, child);

    // The operations tools (cron) count rows per facility and table: the analysts' reading, as a
    // login of its own, nothing more.
    const monitorPassword = derivedPassword(args.credentialSeed, `postgresql:${names.monitorRole}`, args.monitorPasswordGeneration);
    new postgresql.Role("monitor-role", { name: names.monitorRole, login: true, password: monitorPassword, roles: [analyst.name] }, child);
    this.monitorPassword = monitorPassword;

    // Facility-scoped readers: a group role with the analysts' grants, row-level security on
    // every table with a facility column (now, and through an event trigger later) limiting it to
    // its members' facilities, and one login role per reader.
    const readerGroup = new postgresql.Role("reader-group-role", { name: names.rls.readerGroup, login: false }, child);
    const readerGrants = [
      grant("reader-connect", readerGroup, "database", ["CONNECT"]),
      grant("reader-schema", readerGroup, "schema", ["USAGE"]),
      grant("reader-tables", readerGroup, "table", ["SELECT"]),
      new postgresql.DefaultPrivileges("reader-future-tables", {
        database: db.name, schema, owner: sink.name, role: readerGroup.name, objectType: "table", privileges: ["SELECT"],
      }, child),
    ];
    const readerPasswords: Record<string, pulumi.Output<string>> = {};
    const readers = names.rls.readers.map((r) => {
      readerPasswords[r.role] = derivedPassword(args.credentialSeed, `postgresql:${r.role}`, 1);
      return new postgresql.Role(`reader-${r.role}`, { name: r.role, login: true, password: readerPasswords[r.role], roles: [readerGroup.name] }, child);
    });
    const a = args.admin;
    // Applied by the admin with psql, idempotently: on every change of the readers or the names.
    const rls = rlsSql(names.rls);
    new command.local.Command("row-level-security", {
      create: "psql -X -q -v ON_ERROR_STOP=1 -f -",
      update: "psql -X -q -v ON_ERROR_STOP=1 -f -",
      stdin: rls,
      environment: {
        PGHOST: a.host, PGPORT: String(a.port), PGUSER: a.user, PGPASSWORD: a.password, PGDATABASE: names.database,
        PGSSLMODE: a.sslmode, ...(a.caFile ? { PGSSLROOTCERT: a.caFile } : {}),
      },
    }, { parent: this, dependsOn: [db, analyst, readerGroup, ...readerGrants, ...readers] });
    this.readerPasswords = pulumi.secret(pulumi.all(readerPasswords));

    this.database = db.name;
    this.sinkRole = sink.name;
    this.sinkPassword = password;
    this.analystRole = analyst.name;
    this.registerOutputs({ database: this.database, sinkRole: this.sinkRole, analystRole: this.analystRole });
  }
}
