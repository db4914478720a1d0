// The schema exposure the deployed gateway starts with (finding: introspection and suggestions
// were on with GRAPHIQL=false): in production mode, and without GraphiQL, `node src/main.ts`
// refuses introspection and names no fields in its errors, with nothing configured.
import { afterAll, describe, expect, it } from "vitest";
import { type GatewayProcess, spawnGateway } from "../../support/gateway-process.ts";

const started: GatewayProcess[] = [];
afterAll(() => {
  for (const gateway of started) gateway.kill();
});

async function post(url: string, query: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

describe("schema exposure by default", () => {
  it.each<Record<string, string>>([
    { NODE_ENV: "production", KVS_LOCAL_DEMO_STREAM: "false" },
    { GRAPHIQL: "false", KVS_LOCAL_DEMO_STREAM: "false" },
  ])("is off with %j: introspection refused, no suggestions", async (env) => {
    const gateway = await spawnGateway(env);
    started.push(gateway);
    const introspection = await post(gateway.graphqlUrl, "{ __schema { queryType { name } } }");
    expect(introspection.status).toBeLessThan(500);
    expect(JSON.parse(introspection.text).errors[0].message).toMatch(/introspection/i);
    const typo = await post(gateway.graphqlUrl, '{ strem(name: "x") { __typename } }');
    expect(typo.status).toBeLessThan(500);
    expect(JSON.parse(typo.text).errors[0].message).toMatch(/Cannot query field "strem"/);
    expect(typo.text).not.toContain("Did you mean");
    // Queries themselves are served.
    expect(JSON.parse((await post(gateway.graphqlUrl, "{ __typename }")).text)).toEqual({
      data: { __typename: "Query" },
    });
  });
});
