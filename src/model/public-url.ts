// What may be shown of a source's URL. A private partner feed carries its credentials in the
// URL (`https://user:pass@host/feed.xml?apikey=K`), but feeds, the API, OPML, logs and error
// messages are read by people who must not get them. Everything that publishes or logs a
// source URL goes through here, so the rule lives in one place: the operator's `publicUrl`
// if the source sets one, else the URL without userinfo and without secret-looking parameters.

/** Query parameter names, compared case-insensitively, whose value is taken to be a secret. */
export const SECRET_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  "token",
  "key",
  "apikey",
  "api_key",
  "access_token",
  "auth",
  "signature",
  "sig",
  "password",
]);

/** What is published of a source's URL: its `publicUrl` when set, else `url` redacted. */
export function publicSourceUrl(source: { url: string; publicUrl?: string }): string {
  return source.publicUrl ?? redactUrl(source.url);
}

/**
 * `url` without its userinfo and without query parameters named like secrets. A URL with
 * nothing to remove comes back exactly as given (not re-serialised), so ordinary sources are
 * published as the operator wrote them. Text that is not a URL at all (a malformed Location
 * header quoted in an error) is redacted by its shape instead.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactUrlText(url);
  }
  const query = withoutSecretParameters(parsed.search);
  if (parsed.username === "" && parsed.password === "" && query === parsed.search) return url;
  parsed.username = "";
  parsed.password = "";
  // Assigning "" to `search` drops the "?" too, as it should once every parameter is gone.
  parsed.search = query;
  return parsed.href;
}

/**
 * The query string (with its "?", or "") without secret parameters. The kept pairs are copied
 * byte for byte: URLSearchParams would re-encode them (`%20` becomes `+`), changing a URL a
 * partner may compare exactly.
 */
function withoutSecretParameters(search: string): string {
  if (search === "") return "";
  const pairs = search.slice(1).split("&");
  const kept = pairs.filter((pair) => !SECRET_QUERY_PARAMETERS.has(parameterName(pair)));
  if (kept.length === pairs.length) return search;
  const rest = kept.filter((pair) => pair !== "");
  return rest.length === 0 ? "" : `?${rest.join("&")}`;
}

function parameterName(pair: string): string {
  const raw = pair.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(raw.replace(/\+/g, " ")).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The same rule on text that does not parse as a URL: drop `…//userinfo@` and secret pairs. */
function redactUrlText(text: string): string {
  const withoutUserinfo = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1");
  const queryAt = withoutUserinfo.indexOf("?");
  if (queryAt < 0) return withoutUserinfo;
  const hashAt = withoutUserinfo.indexOf("#", queryAt);
  const end = hashAt < 0 ? withoutUserinfo.length : hashAt;
  const query = withoutSecretParameters(withoutUserinfo.slice(queryAt, end));
  return withoutUserinfo.slice(0, queryAt) + query + withoutUserinfo.slice(end);
}
