// Exercises our postgresql plugin through the official @pulumi/postgresql SDK, as an admin that
// is not a superuser (superuser: false, as on a managed server).
import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";

const cfg = new pulumi.Config();
const provider = new postgresql.Provider("pg", {
  host: "127.0.0.1",
  port: cfg.requireNumber("port"),
  username: cfg.require("user"),
  password: cfg.requireSecret("password"),
  // The platform's TLS (verify-full with its CA), or its explicit plaintext opt-out.
  sslmode: cfg.get("sslmode") ?? "verify-full",
  ...(cfg.get("sslrootcert") ? { sslrootcert: cfg.get("sslrootcert") } : {}),
  superuser: false,
  ...(cfg.getBoolean("unsupportedSetting") ? { clientcert: { cert: "/nowhere.crt", key: "/nowhere.key" } } : {}),
});
const opts = { provider };
const owner = new postgresql.Role("owner", {
  name: "cmw_t_owner", login: true, password: cfg.requireSecret("rolePassword"),
  connectionLimit: cfg.getNumber("connectionLimit") ?? 5,
}, opts);
const reader = new postgresql.Role("reader", { name: cfg.get("readerName") ?? "cmw_t_reader" }, opts);
const db = new postgresql.Database("db", { name: cfg.get("dbName") ?? "cmw_t_db", owner: owner.name }, opts);
const schema = new postgresql.Schema("schema", { name: "data", database: db.name, owner: owner.name }, opts);
new postgresql.Grant("reader-usage", {
  database: db.name, schema: schema.name, role: reader.name, objectType: "schema",
  privileges: cfg.getObject<string[]>("schemaPrivileges") ?? ["USAGE"],
}, opts);
new postgresql.DefaultPrivileges("reader-future-tables", {
  database: db.name, schema: schema.name, owner: owner.name, role: reader.name,
  objectType: "table", privileges: ["SELECT"],
}, opts);
if (cfg.getBoolean("unsupported")) {
  new postgresql.Role("unsupported", { name: "cmw_t_unsupported", validUntil: "infinity" }, opts);
}
// A role whose creation fails (it exists already) while it carries a known password.
if (cfg.get("clashPassword")) {
  new postgresql.Role("clash", { name: "cmw_t_clash", login: true, password: cfg.requireSecret("clashPassword") }, opts);
}
