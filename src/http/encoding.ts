// Accept-Encoding negotiation (RFC 9110 §12.5.3) over the three codings the publisher
// pre-computes. Pure: the route passes the header, gets back which variant to send.
import type { Coding } from "../publish/types.js";

export type { Coding };

/** Preference among equal q-values: smallest bytes first. */
const PREFERENCE: readonly Coding[] = ["br", "gzip", "identity"];

/**
 * Picks the coding to send. The highest q-value wins, ties go to br, then gzip, then identity;
 * `q=0` excludes a coding. `identity` not named takes the lowest q the client gave, so
 * `gzip;q=0.5` still prefers gzip while `*;q=0` excludes identity too.
 *
 * Decision: when nothing is acceptable (e.g. `identity;q=0` alone) we send identity rather
 * than 406 — RFC 9110 allows it, and a feed reader with a broken header is better served with
 * bytes it can probably read than with an error it will show as "feed broken".
 */
export function negotiateEncoding(acceptEncoding: string | undefined): Coding {
  if (acceptEncoding === undefined) return "identity";
  // Clients send a handful of distinct header values; parsing each once keeps the hot path cheap.
  let coding = negotiated.get(acceptEncoding);
  if (coding === undefined) {
    coding = negotiate(acceptEncoding);
    if (negotiated.size >= NEGOTIATED_MAX) negotiated.clear();
    negotiated.set(acceptEncoding, coding);
  }
  return coding;
}

const NEGOTIATED_MAX = 256;
const negotiated = new Map<string, Coding>();

function negotiate(acceptEncoding: string): Coding {
  if (acceptEncoding.trim() === "") return "identity";
  const weights = parseAcceptEncoding(acceptEncoding);
  if (weights.size === 0) return "identity";

  const wildcard = weights.get("*");
  const lowest = Math.min(1, ...weights.values());
  const quality = (coding: Coding): number => {
    const explicit = weights.get(coding) ?? (coding === "gzip" ? weights.get("x-gzip") : undefined);
    if (explicit !== undefined) return explicit;
    if (wildcard !== undefined) return wildcard;
    return coding === "identity" ? lowest : 0;
  };

  let best: Coding = "identity";
  let bestQ = 0;
  for (const coding of PREFERENCE) {
    const q = quality(coding);
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/**
 * Coding name (lower case) → q-value. Malformed entries and q-values are skipped rather than
 * read as q=1, so garbage never turns into a preference.
 */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of header.split(",")) {
    const [name = "", ...params] = entry.split(";").map((part) => part.trim());
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/i.test(name)) continue;
    const q = qualityOf(params);
    if (q === undefined) continue;
    const coding = name.toLowerCase();
    // A repeated coding keeps its first q-value, as most servers do.
    if (!weights.has(coding)) weights.set(coding, q);
  }
  return weights;
}

function qualityOf(params: string[]): number | undefined {
  const q = params.find((param) => /^q\s*=/i.test(param));
  if (q === undefined) return 1;
  const value = q.slice(q.indexOf("=") + 1).trim();
  // RFC 9110 qvalue: 0 to 1 with at most three decimals.
  if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value)) return undefined;
  return Number(value);
}
