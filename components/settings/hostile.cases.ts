/**
 * Hostile and sloppy facility files: what a careless or malicious contributor may write. Each
 * case is [what, file path, text, the one line it must produce]. Shared by the unit test and by
 * the validator's timing in the benchmark.
 */
const base = (over: Record<string, string> = {}, extra = "") => {
  const v = {
    name: '"Fac A"', code: '"FAC-A"', host: "ssh://cmw@10.0.0.1", engine: "mariadb", shost: "10.0.0.2", db: "ClinicMaster",
    user: "debezium", passwordSecret: "fac-a-db-password", ...over,
  };
  return [
    `name: ${v.name}`, `dhis2Code: ${v.code}`, `host: ${v.host}`, "source:", `  engine: ${v.engine}`, `  host: ${v.shost}`,
    `  database: ${v.db}`, `  user: ${v.user}`, `  passwordSecret: ${v.passwordSecret}`, extra,
  ].join("\n");
};
const P = "facilities/fac-a.yaml";
const q = (s: string) => JSON.stringify(s);

export const HOSTILE: Array<[string, string, string, string]> = [
  // Invisible, bidi and line-breaking characters in free text.
  ["a line separator in the name", P, base({ name: q("Fac\u2028services: {x: 1}") }), `${P}: name: contains the invisible, bidi or line-breaking character U+2028; retype it with visible characters only`],
  ["a paragraph separator in the name", P, base({ name: q("Fac\u2029A") }), `${P}: name: contains the invisible, bidi or line-breaking character U+2029; retype it with visible characters only`],
  ["a zero-width space in the name", P, base({ name: q("Fac\u200bA") }), `${P}: name: contains the invisible, bidi or line-breaking character U+200B; retype it with visible characters only`],
  ["a zero-width joiner in the name", P, base({ name: q("Fac\u200dA") }), `${P}: name: contains the invisible, bidi or line-breaking character U+200D; retype it with visible characters only`],
  ["a right-to-left override in the name", P, base({ name: q("Fac \u202eA cirtsiD") }), `${P}: name: contains the invisible, bidi or line-breaking character U+202E; retype it with visible characters only`],
  ["a bidi isolate in the name", P, base({ name: q("Fac \u2066A\u2069") }), `${P}: name: contains the invisible, bidi or line-breaking character U+2066; retype it with visible characters only`],
  ["a byte-order mark inside the name", P, base({ name: q("Fac\ufeffA") }), `${P}: name: contains the invisible, bidi or line-breaking character U+FEFF; retype it with visible characters only`],
  ["a next-line control in the name", P, base({ name: q("Fac\u0085A") }), `${P}: name: contains the invisible, bidi or line-breaking character U+0085; retype it with visible characters only`],
  ["a bell in the name", P, base({ name: q("Fac\u0007A") }), `${P}: name: contains the invisible, bidi or line-breaking character U+0007; retype it with visible characters only`],
  ["a tab in the name", P, base({ name: q("Fac\tA") }), `${P}: name: contains a line break or control character; write it on one line`],
  ["a carriage return in the name", P, base({ name: q("Fac\rA") }), `${P}: name: contains a line break or control character; write it on one line`],
  ["a private-use character in the name", P, base({ name: q("Fac\ue000A") }), `${P}: name: contains the invisible, bidi or line-breaking character U+E000; retype it with visible characters only`],
  ["a NUL byte in the file", P, base() + "# \u0000\n", `${P}: holds a NUL byte; save it as UTF-8 text`],
  ["a name of 201 characters", P, base({ name: q("x".repeat(201)) }), `${P}: name: is 201 characters long; shorten it to at most 200`],
  ["a name that is a list", P, base({ name: '["a"]' }), `${P}: name: ["a"] is not text; write it in quotes`],
  ["an empty name", P, base({ name: '""' }), `${P}: name: missing; it is required`],
  ["a name that is binary", P, base({ name: "!!binary aGVsbG8=" }), `${P}: name: {"type":"Buffer","data":[104,101,108,108,111]} is not text; write it in quotes`],
  // Codes: visible letters, digits and separators only; compared ignoring case and width.
  ["a zero-width space in the code", P, base({ code: q("FAC\u200b-A") }), `${P}: dhis2Code: "FAC\\u200b-A" holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`],
  ["a bidi override in the code", P, base({ code: q("\u202eFAC-A") }), `${P}: dhis2Code: "\\u202eFAC-A" holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`],
  ["a space inside the code", P, base({ code: q("FAC A") }), `${P}: dhis2Code: "FAC A" holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`],
  ["an emoji in the code", P, base({ code: q("FAC-🏥") }), `${P}: dhis2Code: "FAC-🏥" holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`],
  ["a config reference in the code", P, base({ code: q("${file:/x:y}") }), `${P}: dhis2Code: "\${file:/x:y}" holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`],
  ["a quote in the code", P, base({ code: q("FAC'A") }), `${P}: dhis2Code: "FAC'A" holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`],
  ["a code of 51 characters", P, base({ code: q("A".repeat(51)) }), `${P}: dhis2Code: "${"A".repeat(51)}" has surrounding spaces or more than 50 characters; write the code exactly`],
  ["a code that is a map", P, base({ code: "{a: 1}" }), `${P}: dhis2Code: {"a":1} is not a code; write it as text in quotes`],
  ["a code that is true", P, base({ code: "true" }), `${P}: dhis2Code: true is not a code; write it as text in quotes`],
  // SSH hosts: nothing ssh could read as an option, IPv6 in brackets.
  ["an ssh user that is an option", P, base({ host: "ssh://-oProxyCommand=touch@host" }), `${P}: host: "ssh://-oProxyCommand=touch@host" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["an ssh host that is an option", P, base({ host: "ssh://cmw@-oProxyCommand=x" }), `${P}: host: "ssh://cmw@-oProxyCommand=x" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["an ssh port out of range", P, base({ host: "ssh://cmw@host:99999" }), `${P}: host: "ssh://cmw@host:99999" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["a shell command after the ssh host", P, base({ host: q("ssh://cmw@host;rm -rf /") }), `${P}: host: "ssh://cmw@host;rm -rf /" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["a command substitution in the ssh host", P, base({ host: q("ssh://cmw@$(id)") }), `${P}: host: "ssh://cmw@$(id)" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["a space in the ssh user", P, base({ host: q("ssh://c mw@host") }), `${P}: host: "ssh://c mw@host" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["an IPv6 host without brackets", P, base({ host: "ssh://cmw@fd00::20" }), `${P}: host: "ssh://cmw@fd00::20" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  ["a line break in the ssh host", P, base({ host: q("ssh://cmw@host\nx") }), `${P}: host: contains a line break or control character; write it on one line`],
  ["a tcp Docker host", P, base({ host: "tcp://10.0.0.1:2375" }), `${P}: host: "tcp://10.0.0.1:2375" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`],
  // The source database.
  ["a source host with a scheme", P, base({ shost: "http://db" }), `${P}: source.host: "http://db" is not a host name or address; write it without scheme or port`],
  ["a source host that is an option", P, base({ shost: q("-oProxyCommand=x") }), `${P}: source.host: "-oProxyCommand=x" is not a host name or address; write it without scheme or port`],
  ["a command substitution in the source host", P, base({ shost: q("$(whoami)") }), `${P}: source.host: "$(whoami)" is not a host name or address; write it without scheme or port`],
  ["a zero-width space in the source host", P, base({ shost: q("db\u200b.local") }), `${P}: source.host: contains the invisible, bidi or line-breaking character U+200B; retype it with visible characters only`],
  ["a source user that is an option", P, base({ user: q("-x") }), `${P}: source.user: may not start with -`],
  ["a source user with spaces around", P, base({ user: q(" debezium ") }), `${P}: source.user: " debezium " has spaces around it; remove them`],
  ["SQL in the database name", P, base({ db: q("Clinic;DROP TABLE x") }), `${P}: source.database: "Clinic;DROP TABLE x" is not a database name; use letters, digits and _`],
  ["SQL in the schema name", P, base({ engine: "postgres" }, "  schema: \"dbo; drop schema dbo\"\n"), `${P}: source.schema: "dbo; drop schema dbo" is not a schema name; use letters, digits and _`],
  ["an engine in capitals", P, base({ engine: "MARIADB" }), `${P}: source.engine: "MARIADB" is not supported; use one of sqlserver, mysql, mariadb, postgres (default sqlserver)`],
  ["encrypt written as yes in quotes", P, base({ engine: "sqlserver" }, '  encrypt: "yes"\n'), `${P}: source.encrypt: "yes" is not true or false`],
  // Secrets: a file may name only its own.
  ["the stack's credential seed as the password", P, base({ passwordSecret: "credentialSeed" }), `${P}: source.passwordSecret: "credentialSeed" is not this facility's secret; name it after the file, e.g. passwordSecret: fac-a-db-password`],
  ["the Kafka admin password as the password", P, base({ passwordSecret: "kafkaAdminPassword" }), `${P}: source.passwordSecret: "kafkaAdminPassword" is not this facility's secret; name it after the file, e.g. passwordSecret: fac-a-db-password`],
  ["the PostgreSQL admin password as the password", P, base({ passwordSecret: "pgAdminPassword" }), `${P}: source.passwordSecret: "pgAdminPassword" is not this facility's secret; name it after the file, e.g. passwordSecret: fac-a-db-password`],
  ["another facility's secret", P, base({ passwordSecret: "fac-b-db-password" }), `${P}: source.passwordSecret: "fac-b-db-password" is not this facility's secret; name it after the file, e.g. passwordSecret: fac-a-db-password`],
  ["a secret stored in plain text", P, base({ passwordSecret: "fac-a-plain-password" }), `${P}: source.passwordSecret: stack setting "fac-a-plain-password" is stored in plain text; store it as a secret: pulumi config set --secret fac-a-plain-password <the database password>`],
  ["a path as the secret name", P, base({ passwordSecret: "../../etc/passwd" }), `${P}: source.passwordSecret: must be the NAME of a stack secret, not the password; e.g. passwordSecret: st-marys-db-password`],
  ["a config reference as the secret name", P, base({ passwordSecret: q("${file:/etc/passwd:root}") }), `${P}: source.passwordSecret: contains "\${", which Kafka Connect reads as a secret reference; remove it`],
  // YAML that costs time, memory or the stack.
  ["an alias bomb", P, "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", `${P}: not valid YAML: more than 50 aliases (anchors reused); write the values out; fix the syntax`],
  ["an undefined alias", P, base({ name: "*nowhere" }), `${P}: not valid YAML: Unresolved alias (the anchor must be set before the alias): nowhere; fix the syntax`],
  ["30,000 levels of nesting", P, `name: ${"[".repeat(30000)}${"]".repeat(30000)}\n`, `${P}: nests too deep to read; a facility file needs at most 8 levels`],
  ["nine levels of nesting", P, base({}, `tables: ${"[".repeat(9)}${"]".repeat(9)}\n`), `${P}: nests 10 levels deep; a facility file needs at most 8`],
  ["a 5 MB tables list", P, base({}, "tables:\n" + "  - Visits\n".repeat(500000)), `${P}: is 5500187 bytes; a facility file is at most 65536 bytes (64 KiB)`],
  ["a 5 MB key", P, base({}, "k".repeat(5 * 1024 * 1024) + ": 1\n"), `${P}: is 5243063 bytes; a facility file is at most 65536 bytes (64 KiB)`],
  ["two documents in one file", P, base() + "\n---\nname: other\n", `${P}: not valid YAML at line 11: Source contains multiple documents; please use YAML.parseAllDocuments(); fix the syntax`],
  ["a key given twice", P, base() + '\nname: "Again"\n', `${P}: not valid YAML at line 11: Map keys must be unique; fix the syntax`],
  ["a merge key", P, base() + "\n<<: {restPort: 1}\n", `${P}: <<: unknown key; known keys are name, dhis2Code, dhis2Uid, agent, host, source, tables, excludedColumns, memoryLimitMb, restPort, readers`],
  ["a key that looks like name but holds a Cyrillic a", P, base().replace("name:", "n\u0430me:"), `${P}: n\u0430me: unknown key; did you mean name?`],
  ["a key with a bidi override", P, base() + "\n\u202eyek: 1\n", `${P}: \\u202eyek: unknown key; known keys are name, dhis2Code, dhis2Uid, agent, host, source, tables, excludedColumns, memoryLimitMb, restPort, readers`],
  ["a scalar at the top", P, "hello\n", `${P}: expected key: value pairs at the top (name, dhis2Code, host, source, ...); see facilities/example.yaml.sample`],
  ["only comments", P, "# nothing here\n", `${P}: the file is empty; copy facilities/example.yaml.sample and fill it in`],
  // Numbers and lists.
  ["a memory limit of 1e308", P, base({}, "memoryLimitMb: 1e308\n"), `${P}: memoryLimitMb: 1e+308 is out of range; use a whole number from 512 to 65536`],
  ["a memory limit in quotes", P, base({}, 'memoryLimitMb: "1024"\n'), `${P}: memoryLimitMb: "1024" is out of range; use a whole number from 512 to 65536`],
  ["a negative REST port", P, base({}, "restPort: -1\n"), `${P}: restPort: -1 is out of range; use a whole number from 1024 to 65535`],
  ["a fractional REST port", P, base({}, "restPort: 8083.5\n"), `${P}: restPort: 8083.5 is out of range; use a whole number from 1024 to 65535`],
  ["2,001 tables", P, base({}, "tables:\n" + Array.from({ length: 2001 }, (_, i) => `  - T${i}`).join("\n") + "\n"), `${P}: tables: lists 2001 items; at most 2000`],
  ["SQL in a table name", P, base({}, 'tables: ["Visits;DROP"]\n'), `${P}: tables: "Visits;DROP" is not a table name such as Visits`],
  ["a table name of 200 characters", P, base({}, `tables: [${"T".repeat(200)}]\n`), `${P}: tables: "${"T".repeat(80)}…" is not a table name such as Visits`],
  ["an excluded column with a space", P, base({}, 'excludedColumns: ["Patients.Photo x"]\n'), `${P}: excludedColumns: "Patients.Photo x" is not Table.Column such as Patients.Photo`],
  ["an agent with a zero-width space", P, base({}, `agent: ${q("compose\u200b")}\n`), `${P}: agent: "compose\\u200b" is not a way to run the agent; use ssh (pulumi up runs it on host, the default) or compose (the site runs the compose bundle)`],
  ["a DHIS2 uid with a zero-width space", P, base({}, `dhis2Uid: ${q("Xy12AbC34d\u200b")}\n`), `${P}: dhis2Uid: "Xy12AbC34d\\u200b" is not a DHIS2 uid; use 11 letters and digits starting with a letter, or remove the key`],
  // File names.
  ["a file name with an umlaut", "facilities/fäc.yaml", base(), 'facilities/fäc.yaml: file name "fäc" is not a slug; rename the file to lowercase letters, digits and dashes (at most 40), e.g. fac.yaml'],
  ["a file name that is an option", "facilities/-rf.yaml", base(), 'facilities/-rf.yaml: file name "-rf" is not a slug; rename the file to lowercase letters, digits and dashes (at most 40), e.g. rf.yaml'],
  ["a file named .yaml", "facilities/.yaml", base(), 'facilities/.yaml: file name "" is not a slug; rename the file to lowercase letters, digits and dashes (at most 40), e.g. my-facility.yaml'],
];

/** Files that are unusual but valid, and must stay so. */
export const UNUSUAL_BUT_VALID: Array<[string, string, string]> = [
  ["accents, apostrophes and ampersands in the name", P, base({ name: q("Hôpital Saint-Joseph d'Ölüm & Maternité — Ñandú") })],
  ["Arabic and Chinese letters in the name", P, base({ name: q("مستشفى الشفاء 病院") })],
  ["an IPv6 Docker host", P, base({ host: "ssh://cmw@[fd00::20]:22" })],
  ["an IPv6 source host", P, base({ shost: q("fd00::21") })],
  ["a 300-table list", P, base({}, "tables:\n" + Array.from({ length: 300 }, (_, i) => `  - Table${i}`).join("\n") + "\n")],
  ["a code with dots, slashes and underscores", P, base({ code: q("UG/KLA.0042_b") })],
  ["a name with quotes and a backslash", P, base({ name: q(`St. "Mary's" \\ East`) })],
];
