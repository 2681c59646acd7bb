import { changedConfigKeys, declaredView } from "./diff";

const declared = {
  "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
  "connection.password": "${file:/etc/kafka-connect/secrets/sink.properties:warehouse.password}",
  "insert.mode": "upsert",
};

describe("changedConfigKeys", () => {
  it("sees no change when only key order differs", () => {
    const reordered = Object.fromEntries(Object.entries(declared).reverse());
    expect(changedConfigKeys(declared, reordered)).toEqual([]);
  });
  it("ignores keys the server adds", () => {
    expect(changedConfigKeys(declared, { ...declared, name: "clinicmaster-warehouse-sink", "tasks.max": "1" })).toEqual([]);
  });
  it("ignores masked secrets", () => {
    expect(changedConfigKeys(declared, { ...declared, "connection.password": "[hidden]" })).toEqual([]);
  });
  it("names a real change, an addition and a removal", () => {
    const actual = { ...declared, "insert.mode": "insert", "batch.size": "500" };
    const next = { ...declared, "delete.enabled": "true" } as Record<string, string>;
    delete next["batch.size"];
    expect(changedConfigKeys(next, actual, [...Object.keys(declared), "batch.size"])).toEqual(["batch.size", "delete.enabled", "insert.mode"]);
  });
});

describe("declaredView", () => {
  it("keeps only declared keys, sorted", () => {
    expect(Object.keys(declaredView({ ...declared, name: "x" }, Object.keys(declared)))).toEqual(Object.keys(declared).sort());
  });
});
