import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import { derivedPassword } from "../secrets/derived";

/** The warehouse's names when the stack does not set them. */
export const WAREHOUSE_DEFAULTS = {
  database: "warehouse",
  schema: "public",
  sinkRole: "clinicmaster_sink",
  analystRole: "warehouse_analyst",
};

/** Inputs of {@link CentralWarehouse}. */
export interface CentralWarehouseArgs {
  /** A PostgreSQL provider logged in as an admin that may create databases and roles. */
  provider: postgresql.Provider;
  /** The warehouse database. @default "warehouse" */
  database?: string;
  /** The schema the sink writes its tables into (`<schema>.<Table>`). @default "public" */
  schema?: string;
  /** Login role of the JDBC sink. @default "clinicmaster_sink" */
  sinkRole?: string;
  /** Group role for analysts: read-only, also on tables the sink creates later. @default "warehouse_analyst" */
  analystRole?: string;
  /** The stack's secret `credentialSeed`; the sink role's password is derived from it. */
  credentialSeed: pulumi.Input<string>;
  /** Bump to rotate the sink role's password. @default 1 */
  sinkPasswordGeneration?: number;
}

/**
 * The warehouse side: the database, a sink login role that may create and change tables in the
 * warehouse schema only, and a read-only analyst group role. No superuser in the data path.
 */
export class CentralWarehouse extends pulumi.ComponentResource {
  /** The names in use, defaults applied (plain strings, for plans built from them). */
  public readonly names: { database: string; schema: string; sinkRole: string; analystRole: string };
  public readonly database: pulumi.Output<string>;
  public readonly sinkRole: pulumi.Output<string>;
  /** The sink role's password: a secret. */
  public readonly sinkPassword: pulumi.Output<string>;
  public readonly analystRole: pulumi.Output<string>;

  constructor(name: string, args: CentralWarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:central:Warehouse", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    this.names = {
      database: args.database ?? WAREHOUSE_DEFAULTS.database,
      schema: args.schema ?? WAREHOUSE_DEFAULTS.schema,
      sinkRole: args.sinkRole ?? WAREHOUSE_DEFAULTS.sinkRole,
      analystRole: args.analystRole ?? WAREHOUSE_DEFAULTS.analystRole,
    };
    const schema = this.names.schema;

    const password = derivedPassword(args.credentialSeed, `postgresql:${this.names.sinkRole}`, args.sinkPasswordGeneration);
    const sink = new postgresql.Role("sink-role", { name: this.names.sinkRole, login: true, password }, child);
    const analyst = new postgresql.Role("analyst-role", { name: this.names.analystRole, login: false }, child);
    // Depends on the roles so that a destroy drops the database (and the sink's tables in it)
    // before the roles that own them.
    const db = new postgresql.Database("warehouse", { name: this.names.database }, { ...child, dependsOn: [sink, analyst] });

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

    this.database = db.name;
    this.sinkRole = sink.name;
    this.sinkPassword = password;
    this.analystRole = analyst.name;
    this.registerOutputs({ database: this.database, sinkRole: this.sinkRole, analystRole: this.analystRole });
  }
}
