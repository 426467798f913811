// Private partner feeds in the config: `headers` (with `${ENV}` references), `publicUrl`, and
// problem lines that name the field and never print a secret.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import test, { type ExecutionContext } from "ava";
import { checkConfig } from "../../src/cli/check-config.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import type { Env } from "../../src/config/types.js";

const CATEGORIES = `
categories:
  - { id: migration, title: Migration }
`;

/** A file with one source whose extra lines (indented under it) are `source`. */
const withSource = (source: string, url = "https://partner.example/feed.xml") => `${CATEGORIES}
sources:
  - id: partner
    title: Partner
    url: "${url}"
    categories: [migration]
${source
  .trim()
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}
`;

function problemsOf(t: ExecutionContext, yaml: string, env: Env = {}): string[] {
  const error = t.throws(() => parseConfig(yaml, env), { instanceOf: ConfigError });
  return error?.problems ?? [];
}

test(`headers are kept, and \${VAR} references are replaced by the environment's values`, (t) => {
  const config = parseConfig(
    withSource(`
headers:
  X-Api-Key: "\${PARTNER_TOKEN}"
  Authorization: "Bearer \${PARTNER_TOKEN}-\${SUFFIX}"
  X-Plain: literal
`),
    { PARTNER_TOKEN: "tok-123", SUFFIX: "v2" },
  );
  t.deepEqual(config.sources[0]?.headers, {
    "X-Api-Key": "tok-123",
    Authorization: "Bearer tok-123-v2",
    "X-Plain": "literal",
  });
});

test("$${ is a literal ${, and a lone $ is just a $", (t) => {
  const config = parseConfig(withSource(`headers: { X-Price: "$\${NOT_A_VAR} costs $5" }`));
  t.is(config.sources[0]?.headers?.["X-Price"], `\${NOT_A_VAR} costs $5`);
});

test("an environment value is trimmed, as the service's own variables are", (t) => {
  const config = parseConfig(withSource(`headers: { X-Api-Key: "\${PARTNER_TOKEN}" }`), {
    PARTNER_TOKEN: "tok-123\n",
  });
  t.is(config.sources[0]?.headers?.["X-Api-Key"], "tok-123");
});

test("a source without headers or publicUrl has neither key", (t) => {
  const config = parseConfig(withSource("enabled: true"));
  t.false("headers" in (config.sources[0] ?? {}));
  t.false("publicUrl" in (config.sources[0] ?? {}));
});

test("a reference to an unset (or empty) variable names the header and the variable", (t) => {
  t.deepEqual(
    problemsOf(t, withSource(`headers: { Authorization: "Bearer \${X}", X-Key: "\${EMPTY}" }`), {
      EMPTY: "  ",
    }),
    [
      `sources[0].headers.Authorization: references \${X}, which is not set in the environment`,
      `sources[0].headers.X-Key: references \${EMPTY}, which is not set in the environment`,
    ],
  );
});

test("an environment value with a line break is refused without being printed", (t) => {
  const problems = problemsOf(t, withSource(`headers: { X-Api-Key: "\${TOKEN}" }`), {
    TOKEN: "secret-part\r\nX-Injected: 1",
  });
  t.deepEqual(problems, [
    `sources[0].headers.X-Api-Key: \${TOKEN} holds CR, LF or another control character, which cannot be sent in a header`,
  ]);
});

test("malformed references, bad names, reserved headers and bad values are field-path errors that never quote the value", (t) => {
  const problems = problemsOf(
    t,
    withSource(`
headers:
  X-Broken: "Bearer \${PARTNER_TOKEN"
  X-Bad-Name: "\${1X}"
  "Bad Name": s3cret-name-value
  Host: evil.example
  If-None-Match: '"x"'
  Accept-Encoding: zstd
  Transfer-Encoding: chunked
  X-Multi: "s3cret-one\\r\\nX-Other: s3cret-two"
  X-Number: 42
  X-Empty: ""
`),
  );
  t.deepEqual(problems, [
    `sources[0].headers.X-Broken: has a malformed environment reference: write \${NAME} (letters, digits, _), or $\${ for a literal \${`,
    `sources[0].headers.X-Bad-Name: has a malformed environment reference: write \${NAME} (letters, digits, _), or $\${ for a literal \${`,
    "sources[0].headers.Bad Name: is not a valid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)",
    "sources[0].headers.Host: cannot be set by a source: the connection or the fetcher sets it",
    "sources[0].headers.If-None-Match: cannot be set by a source: the connection or the fetcher sets it",
    "sources[0].headers.Accept-Encoding: cannot be set by a source: the connection or the fetcher sets it",
    "sources[0].headers.Transfer-Encoding: cannot be set by a source: the connection or the fetcher sets it",
    "sources[0].headers.X-Multi: must not contain CR, LF or other control characters",
    "sources[0].headers.X-Number: must be a string (quote numbers)",
    "sources[0].headers.X-Empty: must be a non-empty string",
  ]);
  t.false(problems.join("\n").includes("s3cret"));
});

test("headers must be a mapping, and that problem does not quote what was written", (t) => {
  t.deepEqual(problemsOf(t, withSource(`headers: "X-Api-Key: s3cret"`)), [
    "sources[0].headers: must be a mapping of header names to values",
  ]);
});

test("the same header in two spellings is a duplicate", (t) => {
  t.deepEqual(problemsOf(t, withSource(`headers: { X-Api-Key: a, x-api-key: b }`)), [
    "sources[0].headers.x-api-key: duplicate header (also given as X-Api-Key)",
  ]);
});

test("an Authorization header beside a user:password in the url is refused", (t) => {
  const problems = problemsOf(
    t,
    withSource(`headers: { Authorization: "Bearer t" }`, "https://user:pass@partner.example/f.xml"),
  );
  t.deepEqual(problems, [
    "sources[0].headers.Authorization: conflicts with the user:password in sources[0].url, which is sent as Authorization: Basic; give one of them",
  ]);
});

test("publicUrl is kept; it must be an http(s) URL without a user:password", (t) => {
  const config = parseConfig(withSource(`publicUrl: "https://partner.example/rss"`));
  t.is(config.sources[0]?.publicUrl, "https://partner.example/rss");
  t.deepEqual(problemsOf(t, withSource(`publicUrl: "ftp://partner.example/rss"`)), [
    'sources[0].publicUrl: must be an http(s) URL, got "ftp://partner.example/rss"',
  ]);
  t.deepEqual(problemsOf(t, withSource(`publicUrl: "not a url"`)), [
    'sources[0].publicUrl: must be an http(s) URL, got "not a url"',
  ]);
  const problems = problemsOf(t, withSource(`publicUrl: "https://user:s3cret@partner.example/"`));
  t.deepEqual(problems, [
    'sources[0].publicUrl: must not contain a user:password (it is published), got "https://partner.example/"',
  ]);
});

test("a bad url is quoted without its credentials", (t) => {
  t.deepEqual(problemsOf(t, withSource("", "ftp://user:s3cret@partner.example/f.xml?apikey=K")), [
    'sources[0].url: must be an http(s) URL, got "ftp://partner.example/f.xml"',
  ]);
});

test("unset references are reported with the file's other problems", (t) => {
  const problems = problemsOf(
    t,
    withSource(`
headers: { X-Api-Key: "\${PARTNER_TOKEN}" }
schedule: "not cron"
`),
  );
  t.is(problems.length, 2);
  t.regex(problems[0] ?? "", /^sources\[0\]\.schedule: invalid cron expression/);
  t.is(
    problems[1],
    `sources[0].headers.X-Api-Key: references \${PARTNER_TOKEN}, which is not set in the environment`,
  );
});

test("resolveReferences: false leaves references as written and needs no environment", (t) => {
  const config = parseConfig(
    withSource(`headers: { X-Api-Key: "\${PARTNER_TOKEN}" }`),
    {},
    "config",
    { resolveReferences: false },
  );
  t.is(config.sources[0]?.headers?.["X-Api-Key"], `\${PARTNER_TOKEN}`);
  // The syntax is still checked.
  t.throws(
    () =>
      parseConfig(withSource(`headers: { X-Api-Key: "\${BROKEN" }`), {}, "config", {
        resolveReferences: false,
      }),
    { instanceOf: ConfigError },
  );
});

test("check-config prints neither header values nor URL credentials", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "tributary-private-"));
  const path = join(dir, "tributary.yaml");
  await writeFile(
    path,
    withSource(
      `
headers:
  X-Api-Key: "\${PARTNER_TOKEN}"
  X-Broken: "s3cret-literal\\n"
`,
      "ftp://user:s3cret-password@partner.example/f.xml?apikey=s3cret-key",
    ),
  );
  const run = async (env: Env) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const code = await checkConfig(path, env, { stdout, stderr });
    return { code, output: Buffer.concat(chunks).toString("utf8") };
  };
  const { code, output } = await run({ PARTNER_TOKEN: "s3cret-token\nX: 1" });
  t.is(code, 2);
  t.regex(output, /sources\[0\]\.url: must be an http\(s\) URL/);
  t.regex(output, /sources\[0\]\.headers\.X-Broken: must not contain CR, LF/);
  t.regex(output, /sources\[0\]\.headers\.X-Api-Key: \$\{PARTNER_TOKEN\} holds CR, LF/);
  t.false(output.includes("s3cret"), output);
});
