// The vocabulary of WebSub subscribing (W3C WebSub Recommendation, §5–§8) shared by the parser
// (hub and self links a feed declares), the store (subscriptions shared by every instance) and
// the read models (/api/sources `push`). Pure data and pure helpers only.

/** The hub and self links one document (or its Link headers) advertises, as written. */
export interface WebSubLinks {
  hubs: string[];
  self?: string;
}

/**
 * Where a subscription stands. `pending`: a subscription request was sent and the hub has not
 * verified it yet; `active`: verified, the lease runs until `expiresAt`; `failed`: the hub
 * refused, denied or never verified (`failure` says why); `unsubscribing`: an unsubscription
 * request was sent (the source left the config, or subscribing was turned off).
 */
export type SubscriptionState = "pending" | "active" | "failed" | "unsubscribing";

export interface Subscription {
  sourceId: string;
  hub: string;
  /** `hub.topic`: the feed's self URL (what the hub knows it by). */
  topic: string;
  /** The random last path segment of the callback URL: a GET or POST without it is not ours. */
  token: string;
  /** `hub.secret`: the key of the HMAC every content push carries (X-Hub-Signature). */
  secret: string;
  state: SubscriptionState;
  /** Epoch ms the last (un)subscription request was sent, renewals included. */
  requestedAt: number;
  /** Active, with a renewal request sent and not verified yet. */
  renewing?: boolean;
  /** Epoch ms: the end of the lease the hub granted (its `hub.lease_seconds`). */
  expiresAt?: number;
  /** The lease the hub granted, in seconds. */
  leaseSeconds?: number;
  failure?: string;
  /** Epoch ms of the last accepted content push. */
  lastPushAt?: number;
}

/** The fields a conditional update may change (the token names the subscription it was read as). */
export type SubscriptionPatch = Partial<
  Omit<Subscription, "sourceId" | "token" | "hub" | "topic" | "secret">
>;

/** `/api/sources` `push`: none, pending, active until <ISO time>, failed: <why>. */
export function pushStateOf(subscription: Subscription | undefined, nowMs: number): string {
  if (subscription === undefined || subscription.state === "unsubscribing") return "none";
  if (subscription.state === "pending") return "pending";
  if (subscription.state === "failed") return `failed: ${subscription.failure ?? "unknown"}`;
  const expiresAt = subscription.expiresAt ?? 0;
  if (expiresAt <= nowMs) {
    return `failed: lease ended ${new Date(expiresAt).toISOString()} without renewal`;
  }
  return `active until ${new Date(expiresAt).toISOString()}`;
}
