// Reading response headers, shared by the fetch path (redirects, validators, Retry-After) and
// the body reader (Content-Encoding, Content-Length).
import type { Dispatcher } from "undici";

/** A response header as one string (undici gives repeated headers as an array). */
export function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
