// HTTP requests are authenticated when their GraphQL context is built: a refused credential is a
// 401 with a GraphQL error body (and WWW-Authenticate), before any resolver or upstream call.

import { GraphQLError } from "graphql";
import {
  AuthenticationError,
  type Authenticator,
  credentialsFromHeaders,
  type Principal,
} from "./authenticator.ts";

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: "UNAUTHENTICATED",
      http: { status: 401, headers: { "www-authenticate": 'Bearer realm="kvs-graphql-gateway"' } },
    },
  });
}

export async function authenticateRequest(
  authenticator: Authenticator,
  request: Request | undefined,
): Promise<Principal> {
  if (request === undefined) throw unauthenticated("No credentials.");
  try {
    return await authenticator.authenticate(
      credentialsFromHeaders((name) => request.headers.get(name)),
    );
  } catch (error) {
    if (error instanceof AuthenticationError) throw unauthenticated(error.message);
    throw error;
  }
}
