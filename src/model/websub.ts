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

/** What the polling stretch decides on (see pushesHoldPollsUntil). */
export interface PushHoldInput {
  subscription: Subscription | undefined;
  nowMs: number;
  /** When the source was last fetched (its state's lastFetchAt), epoch ms. */
  lastFetchMs: number | undefined;
  scheduleIntervalMs: number | undefined;
  publishedEverySeconds: number | undefined;
  safetyPollMs: number;
}

/**
 * The polling stretch. A scheduled poll of a source is skipped ("held back") while its hub
 * pushes: the subscription is active, its lease has not ended, a push arrived within the
 * silence window, and the last fetch is younger than the safety-poll interval. The silence
 * window is twice the source's schedule interval, or twice how often the feed publishes when
 * that is longer, never more than the safety-poll interval. So a lost lease, or a hub that goes
 * quiet, puts the source back on its schedule at the next tick, without anybody acting.
 *
 * Returns when the hold ends unless another push arrives (epoch ms: the lease's end, the end of
 * the silence window, or the safety poll, whichever comes first), or undefined when polls are
 * not held back now.
 */
export function pushesHoldPollsUntil(input: PushHoldInput): number | undefined {
  const { subscription: s, nowMs, safetyPollMs, lastFetchMs } = input;
  if (s === undefined || s.state !== "active" || s.lastPushAt === undefined) return undefined;
  const expiresAt = s.expiresAt ?? 0;
  if (expiresAt <= nowMs) return undefined;
  const interval = input.scheduleIntervalMs ?? safetyPollMs;
  const publishing = (input.publishedEverySeconds ?? 0) * 1000;
  const silenceMs = Math.min(safetyPollMs, 2 * Math.max(interval, publishing));
  if (nowMs - s.lastPushAt > silenceMs) return undefined;
  if (lastFetchMs === undefined || nowMs - lastFetchMs >= safetyPollMs) return undefined;
  return Math.min(expiresAt, s.lastPushAt + silenceMs, lastFetchMs + safetyPollMs);
}

/** Whether a scheduled poll is skipped now because the hub pushes (pushesHoldPollsUntil). */
export function heldBackByPushes(input: PushHoldInput): boolean {
  return pushesHoldPollsUntil(input) !== undefined;
}

/** The stretch's input for a source as stored: its subscription and its poll state. */
export function pushHoldOf(
  subscription: Subscription | undefined,
  // What it reads of a SourceState, named here: source.ts imports this module (through poll.ts).
  state: { lastFetchAt?: string; feedHints?: { publishedEverySeconds?: number } } | undefined,
  at: { nowMs: number; scheduleIntervalMs: number | undefined; safetyPollMs: number },
): PushHoldInput {
  return {
    subscription,
    nowMs: at.nowMs,
    lastFetchMs: state?.lastFetchAt === undefined ? undefined : Date.parse(state.lastFetchAt),
    scheduleIntervalMs: at.scheduleIntervalMs,
    publishedEverySeconds: state?.feedHints?.publishedEverySeconds,
    safetyPollMs: at.safetyPollMs,
  };
}
