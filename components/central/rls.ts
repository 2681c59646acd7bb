/**
 * Facility-scoped reading in the warehouse: PostgreSQL row-level security on every table that
 * has a facility column, present and future (an event trigger protects each table the sink
 * creates), so a reader role sees only the rows of its facilities; analysts keep reading all of
 * it; the sink, as the tables' owner, is not subject to it. The SQL is planned here, as text
 * built from quoted identifiers and literals only, and applied idempotently by the admin.
 */
import { FACILITY_CODE_COLUMN } from "../naming";

/** One reader: a login role and the facility codes whose rows it may read. */
export interface ReaderScope {
  role: string;
  codes: string[];
}

export interface RlsPlan {
  schema: string;
  /** Group role of every reader; the policies name it. */
  readerGroup: string;
  analystRole: string;
  readers: ReaderScope[];
}

/**
 * Where the machinery lives (the scope table, the functions), owned by the admin: apart from the
 * warehouse schema, so the schema's grants and their refresh see only the sink's tables.
 */
export const SECURITY_SCHEMA = "cmw_security";

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The SQL that makes the warehouse facility-scoped; running it twice changes nothing more. */
export function rlsSql(p: RlsPlan): string {
  const s = ident(SECURITY_SCHEMA);
  const rows = p.readers.flatMap((r) => [...new Set(r.codes)].sort().map((c) => `(${literal(r.role)}, ${literal(c)})`));
  const col = FACILITY_CODE_COLUMN;
  return [
    "BEGIN;",
    "SET LOCAL client_min_messages = warning;",
    `CREATE SCHEMA IF NOT EXISTS ${s};`,
    `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC;`,
    `GRANT USAGE ON SCHEMA ${s} TO ${ident(p.readerGroup)};`,
    // Who reads which facility: readable by nobody but through the function below.
    `CREATE TABLE IF NOT EXISTS ${s}.cmw_reader_scope (role_name name NOT NULL, dhis2_code text NOT NULL, PRIMARY KEY (role_name, dhis2_code));`,
    `REVOKE ALL ON ${s}.cmw_reader_scope FROM PUBLIC;`,
    `DELETE FROM ${s}.cmw_reader_scope;`,
    ...(rows.length ? [`INSERT INTO ${s}.cmw_reader_scope VALUES ${rows.join(", ")};`] : []),
    // The codes of the role that logged in (session_user: a definer function's current_user is its owner).
    `CREATE OR REPLACE FUNCTION ${s}.cmw_reader_codes() RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp`,
    `  AS $f$ SELECT coalesce(array_agg(dhis2_code), '{}') FROM ${s}.cmw_reader_scope WHERE role_name = session_user $f$;`,
    `REVOKE ALL ON FUNCTION ${s}.cmw_reader_codes() FROM PUBLIC;`,
    `GRANT EXECUTE ON FUNCTION ${s}.cmw_reader_codes() TO ${ident(p.readerGroup)};`,
    // One table protected: RLS on, readers see their codes' rows, analysts every row.
    // Quiet: it runs inside the sink's CREATE TABLE too, whose log should not fill with notices.
    `CREATE OR REPLACE FUNCTION ${s}.cmw_protect(t regclass) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $f$`,
    "BEGIN",
    "  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);",
    "  EXECUTE format('DROP POLICY IF EXISTS cmw_facility_rows ON %s', t);",
    `  EXECUTE format('CREATE POLICY cmw_facility_rows ON %s FOR SELECT TO %I USING (%I = ANY (%I.cmw_reader_codes()))', t, ${literal(p.readerGroup)}, ${literal(col)}, ${literal(SECURITY_SCHEMA)});`,
    "  EXECUTE format('DROP POLICY IF EXISTS cmw_all_rows ON %s', t);",
    `  EXECUTE format('CREATE POLICY cmw_all_rows ON %s FOR SELECT TO %I USING (true)', t, ${literal(p.analystRole)});`,
    "END $f$;",
    `REVOKE ALL ON FUNCTION ${s}.cmw_protect(regclass) FROM PUBLIC;`,
    // Every table there now...
    "DO $d$ DECLARE r record; BEGIN",
    `  FOR r IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${literal(p.schema)} AND c.relkind IN ('r', 'p')`,
    `    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = ${literal(col)} AND NOT a.attisdropped) LOOP`,
    `    PERFORM ${s}.cmw_protect(r.oid::regclass);`,
    "  END LOOP;",
    "END $d$;",
    // ...and every table created later, by whoever creates it (the sink), at once.
    `CREATE OR REPLACE FUNCTION ${s}.cmw_protect_new_tables() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$`,
    "DECLARE r record;",
    "BEGIN",
    `  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' AND schema_name = ${literal(p.schema)} LOOP`,
    `    IF EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.objid AND a.attname = ${literal(col)} AND NOT a.attisdropped) THEN`,
    `      PERFORM ${s}.cmw_protect(r.objid::regclass);`,
    "    END IF;",
    "  END LOOP;",
    "END $f$;",
    "DROP EVENT TRIGGER IF EXISTS cmw_protect_new_tables;",
    `CREATE EVENT TRIGGER cmw_protect_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION ${s}.cmw_protect_new_tables();`,
    "COMMIT;",
    "",
  ].join("\n");
}
