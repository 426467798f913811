// X-Hub-Signature of a content push (WebSub §8): `method=hex`, the HMAC of the exact body with
// the subscription's hub.secret. SHA-1 is still what some hubs send and the spec allows it, but
// it is refused here: only sha256 or stronger is accepted. Comparison is constant-time.
import { createHmac, timingSafeEqual } from "node:crypto";

const ACCEPTED = { sha256: 32, sha384: 48, sha512: 64 } as const;
type Accepted = keyof typeof ACCEPTED;

export type SignatureCheck =
  | { ok: true; method: Accepted }
  | { ok: false; reason: "missing" | "malformed" | "weak-method" | "mismatch" };

/** Reads the header: undefined when it is not `method=hex` with a method this code knows. */
export function parseSignature(
  header: string | undefined,
): { method: string; digest: Buffer } | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(sha1|sha256|sha384|sha512)=([0-9a-fA-F]+)\s*$/.exec(header);
  if (match === null) return undefined;
  const [, method = "", hex = ""] = match;
  if (hex.length % 2 !== 0) return undefined;
  return { method, digest: Buffer.from(hex, "hex") };
}

export function signBody(method: Accepted | "sha1", secret: string, body: Buffer): string {
  return `${method}=${createHmac(method, secret).update(body).digest("hex")}`;
}

export function checkSignature(
  header: string | undefined,
  secret: string,
  body: Buffer,
): SignatureCheck {
  if (header === undefined || header.trim() === "") return { ok: false, reason: "missing" };
  const parsed = parseSignature(header);
  if (parsed === undefined) return { ok: false, reason: "malformed" };
  if (!(parsed.method in ACCEPTED)) return { ok: false, reason: "weak-method" };
  const method = parsed.method as Accepted;
  const expected = createHmac(method, secret).update(body).digest();
  // timingSafeEqual needs equal lengths; the length of a digest is no secret.
  if (parsed.digest.length !== expected.length) return { ok: false, reason: "mismatch" };
  return timingSafeEqual(parsed.digest, expected)
    ? { ok: true, method }
    : { ok: false, reason: "mismatch" };
}
