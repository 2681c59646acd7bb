import { parseStackSettings, pulumiYamlConfigBlock } from "./components/settings/stack";
console.log(pulumiYamlConfigBlock());
const s = parseStackSettings({ kafkaBootstrapServers: '["127.0.0.1:19092"]', kafkaTlsEnabled: "false", kafkaAdminUser: "admin", kafkaAdminPassword: "12345678", credentialSeed: "x".repeat(40), pgHost: "127.0.0.1", pgPort: "15432", pgAdminUser: "warehouse_admin", pgAdminPassword: "p", connectImage: "img", statusThresholds: '{"sinkMaxLag": 50}', "demo-db-password": "x" }, new Set(["kafkaAdminPassword","credentialSeed","pgAdminPassword"]));
console.log(JSON.stringify(s));
try { parseStackSettings({ kafkaBootstrapServers: 'x', dataTopicPartitions: "0", pgSSLMode: "x", sinkState: "stopped", credentialSeed: "short", statusThresholds: '{"x":1}' }, new Set()); } catch (e) { console.log((e as Error).message); }
