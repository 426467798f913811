// Validates JSON Feed output against the JSON Feed 1.1 schema of the external corpus.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { corpusPath } from "./corpus.js";

// ajv-formats is CommonJS with `module.exports = plugin` and a `default` alias; under NodeNext
// the default import is the module object.
const addFormats = addFormatsModule.default;

/** The JSON Feed 1.1 schema is draft-07, which the default Ajv class speaks. */
export function jsonFeedValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(corpusPath("jsonfeed", "schema-v1.1.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
