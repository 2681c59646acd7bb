/**
 * Smoke stack: one resource of each kind the product uses, through the real plugins, against the
 * local platform (SCRAM + ACL Kafka, PostgreSQL, Docker over ssh://). Driven by smoke.test.sh.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as postgresql from "@pulumi/postgresql";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { derivedPassword } from "../../components/secrets/derived";

const cfg = new pulumi.Config();
const prefix = "cmw-smoke";
const smokeUser = `${prefix}-user`;
const smokePassword = derivedPassword(cfg.requireSecret("credentialSeed"), `kafka:${smokeUser}`, 1);

// The platform's CA (TLS by default; no caFile means its explicit plaintext opt-out).
const caFile = cfg.get("caFile");
const kafkaProvider = new kafka.Provider("kafka", {
  bootstrapServers: [cfg.require("kafkaBootstrap")],
  tlsEnabled: caFile !== undefined,
  ...(caFile ? { caCert: fs.readFileSync(caFile, "utf8") } : {}),
  saslMechanism: "scram-sha512",
  saslUsername: cfg.require("kafkaAdminUser"),
  saslPassword: cfg.requireSecret("kafkaAdminPassword"),
});
const kopts = { provider: kafkaProvider };

const topic = new kafka.Topic("topic", { name: `${prefix}-topic`, partitions: 1, replicationFactor: 1 }, kopts);
new kafka.UserScramCredential("user", {
  username: smokeUser,
  scramMechanism: "SCRAM-SHA-512",
  scramIterations: 8192,
  password: smokePassword,
}, kopts);

// The smoke user may write and read its own topic and use its own groups; nothing else.
const allow = (name: string, resourceType: string, resourceName: string, operation: string, pattern = "Literal") =>
  new kafka.Acl(name, {
    aclPrincipal: `User:${smokeUser}`,
    aclHost: "*",
    aclOperation: operation,
    aclPermissionType: "Allow",
    aclResourceType: resourceType,
    aclResourceName: resourceName,
    resourcePatternTypeFilter: pattern,
  }, kopts);
allow("acl-topic-prefix-all", "Topic", prefix, "All", "Prefixed");
allow("acl-group-prefix-read", "Group", prefix, "Read", "Prefixed");

const pgProvider = new postgresql.Provider("pg", {
  host: cfg.require("pgHost"),
  port: cfg.requireNumber("pgPort"),
  username: cfg.require("pgAdminUser"),
  password: cfg.requireSecret("pgAdminPassword"),
  sslmode: caFile ? "verify-full" : "disable",
  ...(caFile ? { sslrootcert: caFile } : {}),
  superuser: false,
});
const role = new postgresql.Role("role", {
  name: "cmw_smoke_role",
  login: true,
  password: smokePassword,
}, { provider: pgProvider });
new postgresql.Database("db", { name: "cmw_smoke_db", owner: role.name }, { provider: pgProvider });

// The "remote facility host": Docker reached over ssh:// exactly as in production.
const dockerProvider = new docker.Provider("facility-host", {
  host: cfg.require("dockerHost"),
  sshOpts: cfg.requireObject<string[]>("sshOpts"),
});
const image = new docker.RemoteImage("connect-image", { name: cfg.require("connectImage"), keepLocally: true }, { provider: dockerProvider });
const restPort = cfg.requireNumber("restPort");
const worker = new docker.Container("connect-worker", {
  name: `${prefix}-connect`,
  image: image.imageId,
  networkMode: "host",
  restart: "unless-stopped",
  memory: 768,
  // No secret in the environment: the password reaches the worker as a file, referenced through
  // Connect's FileConfigProvider.
  envs: [
    `CONNECT_BOOTSTRAP_SERVERS=${cfg.require("kafkaBootstrap")}`,
    `CONNECT_GROUP_ID=${prefix}-connect`,
    `CONNECT_CONFIG_STORAGE_TOPIC=${prefix}-connect-configs`,
    `CONNECT_OFFSET_STORAGE_TOPIC=${prefix}-connect-offsets`,
    `CONNECT_STATUS_STORAGE_TOPIC=${prefix}-connect-status`,
    "CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR=1",
    "CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR=1",
    "CONNECT_STATUS_STORAGE_REPLICATION_FACTOR=1",
    `CONNECT_REST_PORT=${restPort}`,
    `CONNECT_SECURITY_PROTOCOL=${caFile ? "SASL_SSL" : "SASL_PLAINTEXT"}`,
    ...(caFile ? ["CONNECT_SSL_TRUSTSTORE_TYPE=PEM", "CONNECT_SSL_TRUSTSTORE_LOCATION=/etc/kafka-connect/tls/kafka-ca.pem"] : []),
    "CONNECT_SASL_MECHANISM=SCRAM-SHA-512",
    `CONNECT_SASL_JAAS_CONFIG=org.apache.kafka.common.security.scram.ScramLoginModule required username="${smokeUser}" password="\${file:/etc/kafka-connect/secrets/worker.properties:kafka.password}";`,
    "CONNECT_HEAP_OPTS=-Xmx384m",
  ],
  uploads: [{
    file: "/etc/kafka-connect/secrets/worker.properties",
    content: pulumi.interpolate`kafka.password=${smokePassword}\n`,
  }, ...(caFile ? [{ file: "/etc/kafka-connect/tls/kafka-ca.pem", content: fs.readFileSync(caFile, "utf8") }] : [])],
}, { provider: dockerProvider, dependsOn: [topic] });

const hello = new command.local.Command("hello", { create: "echo smoke-ok", environment: { SMOKE: "1" } });

export const topicName = topic.name;
export const containerName = worker.name;
export const commandStdout = hello.stdout;
export const userPassword = smokePassword;
