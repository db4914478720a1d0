// Reports every SDK call to a KvsObserver: one middleware at the "initialize" step, so a call is
// reported once however many attempts the SDK's retry strategy made, with the answer's request id.

// The SDK's own middleware types (@smithy/types comes with every AWS SDK v3 client).
import type { MetadataBearer, MiddlewareStack, ResponseMetadata } from "@smithy/types";
import type { KvsCallReport, KvsObserver } from "./observer.ts";

function metadataOf(value: unknown): ResponseMetadata | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as Partial<MetadataBearer>).$metadata;
}

/** The name a failure is counted under: the AWS exception, a socket code, or the error's name. */
export function failureName(error: unknown): string {
  if (typeof error !== "object" || error === null) return "Error";
  const code = (error as { code?: unknown }).code;
  const name = (error as { name?: unknown }).name;
  if (typeof name === "string" && name !== "Error" && name !== "TypeError") return name;
  if (typeof code === "string") return code;
  return typeof name === "string" ? name : "Error";
}

/** Adds the reporting middleware to an SDK client (once per client). */
export function reportCalls<Input extends object, Output extends MetadataBearer>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  service: string,
  observer: KvsObserver,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      const report = (
        fields: Pick<KvsCallReport, "outcome" | "requestId" | "httpStatus" | "error">,
      ) =>
        observer.kvsCall({
          service,
          operation: (context.commandName ?? "Unknown").replace(/Command$/, ""),
          durationMs: performance.now() - started,
          ...fields,
        });
      try {
        const result = await next(args);
        const metadata = metadataOf(result.output);
        report({
          outcome: "ok",
          requestId: metadata?.requestId,
          httpStatus: undefined,
          error: undefined,
        });
        return result;
      } catch (error) {
        const metadata = metadataOf(error);
        report({
          outcome: failureName(error),
          requestId: metadata?.requestId,
          httpStatus: metadata?.httpStatusCode,
          error,
        });
        throw error;
      }
    },
    { step: "initialize", name: "kvsCallReporting", override: true },
  );
}
