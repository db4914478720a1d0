// /metrics against a real gateway and kvs-local: the listed metrics are exposed and move after
// real operations; the bearer token is enforced; /healthz and /readyz, which fails once kvs-local
// is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countRateLimited,
  countRejectedDocument,
} from "../../../src/gateway/observability/metrics.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { metricValue, scrapeMetrics } from "../../support/metrics.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const TOKEN = "metrics-token-0123456789";
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    gateway: {
      metrics: { onGatewayPort: true, bearerToken: TOKEN },
      readiness: { cacheMs: 0, timeoutMs: 1000 },
    },
  });
  await createStreams(stack.kvs.endpoint, ["metrics-a"]);
});
afterAll(() => stack?.stop());

const scrape = () => scrapeMetrics(stack.url, TOKEN);
const value = metricValue;

async function graphql(query: string): Promise<Response> {
  return fetch(`${stack.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
}

describe("/metrics", () => {
  it("refuses a scrape without the bearer token", async () => {
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${stack.url}/metrics`, {
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
  });

  it("counts operations, errors, KVS calls, cache lookups and the limit counters", async () => {
    const before = await scrape();
    const ok = await graphql('{ a: stream(name: "metrics-a") { __typename } }');
    expect(ok.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    await graphql('{ stream(name: "metrics-missing") { __typename } }');
    await graphql("{ nope }");
    countRejectedDocument("tokens");
    countRateLimited("operations");
    const after = await scrape();

    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('kvs_gateway_graphql_operations_total{type="query",outcome="ok"}')).toBe(2);
    expect(delta('kvs_gateway_graphql_operations_total{type="query",outcome="error"}')).toBe(1);
    expect(
      delta('kvs_gateway_graphql_errors_total{kind="graphql",code="GRAPHQL_VALIDATION_FAILED"}'),
    ).toBe(1);
    expect(
      delta('kvs_gateway_graphql_errors_total{kind="typed",code="ResourceNotFoundException"}'),
    ).toBe(1);
    expect(
      delta(
        'kvs_gateway_kvs_calls_total{service="KinesisVideo",operation="DescribeStream",outcome="ok"}',
      ),
    ).toBe(1);
    expect(
      delta(
        'kvs_gateway_kvs_calls_total{service="KinesisVideo",operation="DescribeStream",outcome="ResourceNotFoundException"}',
      ),
    ).toBe(1);
    expect(delta('kvs_gateway_rejected_documents_total{limit="tokens"}')).toBe(1);
    expect(delta('kvs_gateway_rate_limited_total{scope="operations"}')).toBe(1);
    for (const name of [
      "kvs_gateway_subscriptions_open",
      'kvs_gateway_getmedia_sessions{kind="shared"}',
      "process_resident_memory_bytes",
    ]) {
      expect(after).toContain(name);
    }
  });
});

describe("/healthz and /readyz", () => {
  it("are up and ready with kvs-local, and /readyz fails once kvs-local is stopped", async () => {
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { kvs: { ok: true } } });

    await stack.kvs.stop();
    const down = await fetch(`${stack.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: "unavailable",
      checks: { kvs: { ok: false } },
    });
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });
});
