// How much of the schema an unknown client can learn: introspection, and the "Did you mean …?"
// suggestions graphql-js adds to validation and coercion errors (which leak field and enum names
// even with introspection off). Both off by default against AWS (see config.ts).

import { NoSchemaIntrospectionCustomRule, specifiedRules, validate } from "graphql";
import type { Plugin } from "graphql-yoga";

export interface SchemaExposure {
  introspection: boolean;
  suggestions: boolean;
}

export function useSchemaExposure(exposure: SchemaExposure): Plugin {
  const hideSuggestions = !exposure.suggestions;
  return {
    onValidate({ addValidationRule, setValidationFn }) {
      if (!exposure.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
      if (hideSuggestions) {
        setValidationFn((schema, document, rules) =>
          validate(schema, document, rules ?? specifiedRules, { hideSuggestions }),
        );
      }
    },
    // graphql 17's ExecutionArgs take hideSuggestions; envelop's types predate it.
    onExecute({ executeFn, setExecuteFn }) {
      if (hideSuggestions)
        setExecuteFn((args) => executeFn(Object.assign({}, args, { hideSuggestions })));
    },
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      if (hideSuggestions)
        setSubscribeFn((args) => subscribeFn(Object.assign({}, args, { hideSuggestions })));
    },
  };
}
