import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import { WarehousePlan } from "../plan/system";
import { derivedPassword } from "../secrets/derived";

/** Inputs of {@link CentralWarehouse}. */
export interface CentralWarehouseArgs {
  /** A PostgreSQL provider logged in as an admin that may create databases and roles. */
  provider: postgresql.Provider;
  /** The warehouse's names, from the system plan. */
  plan: Pick<WarehousePlan, "database" | "schema" | "sinkRole" | "analystRole" | "monitorRole">;
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

    this.database = db.name;
    this.sinkRole = sink.name;
    this.sinkPassword = password;
    this.analystRole = analyst.name;
    this.registerOutputs({ database: this.database, sinkRole: this.sinkRole, analystRole: this.analystRole });
  }
}
