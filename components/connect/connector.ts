import * as pulumi from "@pulumi/pulumi";
import { changedConfigKeys, declaredView } from "./diff";

/** Inputs of a {@link ConnectConnector}. */
export interface ConnectConnectorArgs {
  /** Base URL of the Connect REST API, reachable from where Pulumi runs (e.g. http://127.0.0.1:18083). */
  connectUrl: pulumi.Input<string>;
  /** Connector name; changing it replaces the connector. */
  name: pulumi.Input<string>;
  /** The connector config: plain strings, secrets only as config-provider references. */
  config: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Declared state. @default "running" */
  state?: pulumi.Input<"running" | "paused">;
}

interface Inputs {
  connectUrl: string;
  name: string;
  config: Record<string, string>;
  state: "running" | "paused";
}

interface Outputs extends Inputs {
  /** Connector state as last seen: RUNNING, PAUSED, FAILED, UNASSIGNED. */
  connectorState: string;
  /** Task states as last seen, e.g. ["RUNNING"]. */
  taskStates: string[];
}

async function rest(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json: any = undefined;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
  if (res.status >= 400 && res.status !== 404) {
    throw new Error(`Kafka Connect ${method} ${url} answered ${res.status}: ${typeof json === "object" ? json?.message ?? text : text}`);
  }
  return { status: res.status, json };
}

/** PUT the config (create or update), then pause or resume, then wait for that state (bounded). */
async function apply(inputs: Inputs): Promise<Outputs> {
  const base = `${inputs.connectUrl}/connectors/${encodeURIComponent(inputs.name)}`;
  // Workers just started need a while before their REST API answers, serves its connector
  // resources (404 before that) and their group has formed (409 while rebalancing): retry for
  // up to 5 minutes.
  for (let attempt = 1; ; attempt++) {
    try {
      const put = await rest("PUT", `${base}/config`, inputs.config);
      if (put.status === 404) throw new Error(`Kafka Connect PUT ${base}/config answered 404: the worker is still starting`);
      break;
    } catch (err) {
      const retryable = !(err instanceof Error) || /fetch failed|ECONNREFUSED| 404| 409| 500| 503|timeout/i.test(String((err as Error).message ?? err));
      if (!retryable || attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  await rest("PUT", `${base}/${inputs.state === "paused" ? "pause" : "resume"}`);
  const want = inputs.state === "paused" ? "PAUSED" : "RUNNING";
  let status: any;
  for (let i = 0; i < 60; i++) {
    status = (await rest("GET", `${base}/status`)).json;
    if (status?.connector?.state === want) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (!status?.connector?.state) throw new Error(`Kafka Connect at ${inputs.connectUrl} accepted connector ${inputs.name} but reports no state for it`);
  return { ...inputs, connectorState: status.connector.state, taskStates: (status.tasks ?? []).map((t: any) => t.state) };
}

const connectorProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async check(_olds, news) {
    const failures = Object.entries(news.config ?? {})
      .filter(([, v]) => typeof v !== "string")
      .map(([k]) => ({ property: "config", reason: `config.${k}: Kafka Connect takes strings only; quote the value` }));
    if (news.state !== "running" && news.state !== "paused") failures.push({ property: "state", reason: `state "${news.state}": use running or paused` });
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    const keys = changedConfigKeys(news.config, olds.config ?? {}, Object.keys(olds.config ?? {}));
    const replaces = olds.name !== news.name ? ["name"] : [];
    const stateChanged = olds.state !== news.state || (olds.connectorState !== undefined && olds.connectorState !== (news.state === "paused" ? "PAUSED" : "RUNNING") && olds.connectorState !== "FAILED");
    const changes = keys.length > 0 || replaces.length > 0 || stateChanged || olds.connectUrl !== news.connectUrl;
    return { changes, replaces, deleteBeforeReplace: true, detailedDiff: undefined };
  },
  async create(inputs) {
    return { id: inputs.name, outs: await apply(inputs) };
  },
  async update(_id, _olds, news) {
    return { outs: await apply(news) };
  },
  async read(id, maybeProps) {
    const props = maybeProps as Outputs; // Pulumi always passes the last known state on refresh
    const base = `${props.connectUrl}/connectors/${encodeURIComponent(id)}`;
    const config = await rest("GET", `${base}/config`);
    if (config.status === 404) return { id, props: { ...props, config: {}, connectorState: "MISSING", taskStates: [] } };
    const status = (await rest("GET", `${base}/status`)).json;
    return {
      id,
      props: {
        ...props,
        config: declaredView(config.json, Object.keys(props.config ?? {})),
        connectorState: status?.connector?.state ?? "UNKNOWN",
        taskStates: (status?.tasks ?? []).map((t: any) => t.state),
      },
    };
  },
  async delete(id, props) {
    await rest("DELETE", `${props.connectUrl}/connectors/${encodeURIComponent(id)}`);
  },
};

/**
 * A Kafka Connect connector managed over the REST API: config by PUT (idempotent), declarable
 * running/paused state, refresh from the server, diffs only on real changes.
 */
export class ConnectConnector extends pulumi.dynamic.Resource {
  public declare readonly connectorState: pulumi.Output<string>;
  public declare readonly taskStates: pulumi.Output<string[]>;
  public declare readonly config: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ConnectConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(connectorProvider, name, { ...args, state: args.state ?? "running", connectorState: undefined, taskStates: undefined }, opts, "cmw", "ConnectConnector");
  }
}
