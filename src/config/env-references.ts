// `${NAME}` references to environment variables in config values, so a partner's token lives in
// the deployment's secrets rather than in a YAML file that is committed and reviewed. `$${` is a
// literal `${`; a `$` followed by anything else is just a `$`. Only the references are checked
// and expanded here: which fields may hold them is the schema's business.
import type { Env } from "./types.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Part = { text: string } | { variable: string };

export const MALFORMED_REFERENCE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the config syntax.
  "has a malformed environment reference: write ${NAME} (letters, digits, _), or $${ for a literal ${";

export function isWellFormed(value: string): boolean {
  return !("problem" in parseReferences(value));
}

/** The parts of a value, or the reason it cannot be read (the value itself is never quoted). */
export function parseReferences(value: string): { parts: Part[] } | { problem: string } {
  const parts: Part[] = [];
  let text = "";
  let i = 0;
  while (i < value.length) {
    if (value.startsWith("$${", i)) {
      text += "${";
      i += 3;
    } else if (value.startsWith("${", i)) {
      const end = value.indexOf("}", i + 2);
      const name = end < 0 ? undefined : value.slice(i + 2, end);
      if (name === undefined || !NAME.test(name)) return { problem: MALFORMED_REFERENCE };
      if (text !== "") parts.push({ text });
      text = "";
      parts.push({ variable: name });
      i = end + 1;
    } else {
      text += value[i];
      i += 1;
    }
  }
  if (text !== "") parts.push({ text });
  return { parts };
}

/** The variables a value references, in order (empty for a malformed value). */
export function referencedVariables(value: string): string[] {
  const read = parseReferences(value);
  if ("problem" in read) return [];
  return read.parts.flatMap((part) => ("variable" in part ? [part.variable] : []));
}

/**
 * A variable's value, trimmed as the service's own variables are (a secret mounted from a file
 * often ends in a newline). Empty counts as unset: an empty token sent to a partner is a
 * deployment mistake, not a credential.
 */
export function variableValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === "" ? undefined : value;
}

/** The value with every reference replaced; call only once every variable is known to be set. */
export function expandReferences(value: string, env: Env): string {
  const read = parseReferences(value);
  if ("problem" in read) throw new TypeError("expandReferences: malformed value");
  return read.parts
    .map((part) => ("text" in part ? part.text : (variableValue(env, part.variable) ?? "")))
    .join("");
}
