// GraphQL Code Generator: typed documents (client preset) for the operations the tests use.
// The schema is the committed SDL (`npm run schema:print`), so codegen needs no TS loader for
// the Pothos schema; test/gateway/schema.test.ts keeps that SDL in step with the code.
// `npm run codegen` regenerates; test/gateway/codegen.test.ts fails when test/generated is stale.

import type { CodegenConfig } from "@graphql-codegen/cli";

export const codegenConfig: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["test/**/*.ts", "!test/generated/**"],
  ignoreNoDocuments: true,
  generates: {
    "test/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        importExtension: ".ts",
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: "string" },
      },
    },
  },
};

export default codegenConfig;
