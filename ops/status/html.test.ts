import { escapeHtml, facilityOrder, renderStatusHtml } from "./html";
import { FacilityObservation, Observation, evaluateStatus } from "./status";
import { STATUS_THRESHOLD_DEFAULTS as T } from "./thresholds";

const at = new Date("2026-12-01T12:00:00Z");
const IMAGE = "clinicmaster/connect:7-new";
const running = { connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] };
const facility = (slug: string, over: Partial<FacilityObservation> = {}): FacilityObservation => ({
  slug, name: `Clinic ${slug}`, dhis2Code: slug.toUpperCase(), agent: "ssh", host: `ssh://root@${slug}`, engine: "sqlserver",
  connectorName: `cmw-facility-${slug}-source`, hostReachable: true, agentState: "running", connector: running,
  agentImage: { id: `sha256:${"a".repeat(64)}`, configured: `sha256:${"a".repeat(64)}`, references: [IMAGE] },
  lastHeartbeatMs: at.getTime() - 20_000, rows: { Patients: 3 }, ...over,
});
const observation = (facilities: FacilityObservation[]): Observation => ({
  stack: "central", at, facilities, desiredImage: IMAGE,
  sink: { connectorName: "sink", connector: running, offsets: { dataTopics: { "t.Visits": [{ partition: 0, start: 0, end: 10 }] }, committed: { "t.Visits": { 0: 6 } }, dlq: [] } },
});

describe("escapeHtml", () => {
  it("escapes markup and quotes, and shows bidi and other control characters instead of obeying them", () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
    expect(escapeHtml("abc\u202Efdp.exe\u2066x\u2069\u200F")).toBe("abc[U+202E]fdp.exe[U+2066]x[U+2069][U+200F]");
    expect(escapeHtml("a\u0000b\u001Bc")).toBe("a[U+0000]b[U+001B]c");
    expect(escapeHtml("Hôpital Ñ 病院 مستشفى")).toBe("Hôpital Ñ 病院 مستشفى");
  });
});

describe("renderStatusHtml", () => {
  const hostile = `<script>alert(1)</script> "St. Mary's" & Co \u202Eevil\u2067`;
  const r = evaluateStatus(observation([
    facility("a"),
    facility("b", { agentImage: { id: `sha256:${"b".repeat(64)}`, configured: `sha256:${"b".repeat(64)}`, references: ["clinicmaster/connect:7-old"] } }),
    facility("c", { name: hostile, hostReachable: false, hostError: `<img src=x onerror=alert(2)>`, agentState: undefined, connector: undefined, agentImage: undefined }),
    facility("d", { name: hostile, lastHeartbeatMs: at.getTime() - 900_000 }),
  ]), T, null);
  const html = renderStatusHtml(r);

  it("is self-contained: no script, no external resource, inline CSS, a policy that forbids the rest", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<[^>]*\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toMatch(/<style>[\s\S]+<\/style>/);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  });
  it("escapes every hostile text and shows bidi controls as code points", () => {
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &quot;St. Mary&#39;s&quot; &amp; Co [U+202E]evil[U+2067]");
    expect(html).toContain("&lt;img src=x onerror=alert(2)&gt;");
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });
  it("puts problems first: the problem list at the top, unhealthy facilities, then those behind, then the rest", () => {
    expect(facilityOrder(r.facilities).map((f) => f.slug)).toEqual(["c", "d", "b", "a"]);
    const rows = [...html.matchAll(/<tr class="(\w+)" data-facility="([^"]+)">/g)].map((m) => [m[2], m[1]]);
    expect(rows).toEqual([["c", "bad"], ["d", "bad"], ["b", "warn"], ["a", "ok"]]);
    expect(html.indexOf("<h2>Problems</h2>")).toBeLessThan(html.indexOf("<table>"));
    expect(html).toContain("<li><bdi>c: host ssh://root@c unreachable: &lt;img src=x onerror=alert(2)&gt;</bdi></li>");
  });
  it("shows per facility state, heartbeat, rows, image version and drift, and the sink's lag and DLQ", () => {
    const row = (slug: string) => html.split("\n").find((l) => l.includes(`data-facility="${slug}"`))!;
    expect(row("a")).toContain('<span class="tag ok">healthy</span>');
    expect(row("a")).toContain("20s ago");
    expect(row("a")).toContain('<td class="num">3</td>');
    expect(row("a")).toContain("<bdi>7-new</bdi>");
    expect(row("a")).toContain('<span class="tag ok">current</span>');
    expect(row("b")).toContain("<bdi>7-old (behind)</bdi>");
    expect(row("b")).toContain('<span class="tag warn">behind</span>');
    expect(row("c")).toContain('<span class="tag unknown">unknown</span><br><span class="muted"><bdi>host unreachable</bdi></span>');
    expect(row("d")).toContain('<span class="tag bad">15m ago</span>');
    expect(html).toContain("1 behind: b (run pulumi up); 1 unknown: c");
    expect(html).toMatch(/<td><span class="tag ok">RUNNING<\/span><\/td><td>1\/1<\/td><td>4<\/td><td>0<\/td><td><span class="muted">first look<\/span><\/td>/);
  });
  it("says so when all is well, with no problem list", () => {
    const ok = renderStatusHtml(evaluateStatus(observation([facility("a")]), T, null));
    expect(ok).toContain('<p class="verdict ok">HEALTHY');
    expect(ok).not.toContain("<h2>Problems</h2>");
  });
});
