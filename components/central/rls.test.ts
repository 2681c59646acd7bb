import { rlsSql } from "./rls";
import { planReaders } from "../plan/system";
import { ANY_SECRET, SettingsError, settingsFor } from "../settings/stack";
import { loadFacilities } from "../settings/facility";

const plan = { schema: "public", readerGroup: "warehouse_facility_reader", analystRole: "warehouse_analyst", readers: [{ role: "kyaka_records", codes: ["FAC-A", "O'Brien"] }] };

describe("rlsSql", () => {
  const sql = rlsSql(plan);
  it("limits the readers' group to their codes and keeps analysts on every row, on every table now and later", () => {
    expect(sql).toContain("CREATE POLICY cmw_facility_rows ON %s FOR SELECT TO %I USING (%I = ANY (%I.cmw_reader_codes()))', t, 'warehouse_facility_reader', 'facility_dhis2_code', 'cmw_security')");
    expect(sql).toContain("CREATE POLICY cmw_all_rows ON %s FOR SELECT TO %I USING (true)', t, 'warehouse_analyst')");
    expect(sql).toContain("CREATE EVENT TRIGGER cmw_protect_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE')");
    expect(sql).toMatch(/^BEGIN;\n[\s\S]*\nCOMMIT;\n$/);
  });
  it("quotes every literal: a code with a quote cannot end the statement", () => {
    expect(sql).toContain("('kyaka_records', 'FAC-A'), ('kyaka_records', 'O''Brien')");
  });
  it("runs with the role that logged in, not the function's owner", () => {
    expect(sql).toContain("WHERE role_name = session_user");
  });
});

describe("planReaders", () => {
  const text = (slug: string, code: string, readers: string) =>
    `name: x\ndhis2Code: "${code}"\nagent: compose\nreaders: [${readers}]\nsource: {engine: mariadb, host: db, database: cm, user: u, passwordSecret: ${slug}-db-password}\n`;
  const facilities = loadFacilities([
    { path: "facilities/fac-a.yaml", text: text("fac-a", "FAC-A", "kyaka_records, district_gulu") },
    { path: "facilities/fac-b.yaml", text: text("fac-b", "FAC-B", "district_gulu") },
  ], ANY_SECRET);
  it("gives each reader the union of the facilities that name it and of the stack's district readers", () => {
    expect(planReaders(settingsFor({ warehouseReaders: '{"moh_auditor": ["FAC-B", "FAC-Z"]}' }), facilities)).toEqual([
      { role: "district_gulu", codes: ["FAC-A", "FAC-B"] },
      { role: "kyaka_records", codes: ["FAC-A"] },
      { role: "moh_auditor", codes: ["FAC-B", "FAC-Z"] },
    ]);
  });
  it("refuses a reader named like one of the stack's own roles", () => {
    expect(() => planReaders(settingsFor({ warehouseReaders: '{"warehouse_analyst": ["FAC-A"]}' }), facilities)).toThrow(SettingsError);
  });
});
