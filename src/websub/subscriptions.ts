// WebSub subscribing (W3C WebSub §5–§6): the subscriber's side of each source's subscription,
// as a small state machine over records in the shared store (store/subscriptions.ts):
//
//   none ──(a poll finds a hub)──► pending ──(hub verifies, grants L s)──► active until T
//   pending ──(hub refuses / denies / never verifies)──► failed: why ──(a later poll)──► pending
//   active ──(85 % of L passed)──► active, renewing ──(hub verifies)──► active until T'
//   active ──(T passes unrenewed)──► failed: lease ended
//   any ──(source left the config, or websub.subscribe turned off)──► unsubscribing ──► none
//
// Only instances that poll (roles all and worker) run this: subscriptions start from a poll's
// outcome, and renewals and unsubscriptions from a sweep every SWEEP_MS. Several workers may
// send the same renewal or unsubscription; both are idempotent at the hub (same callback and
// topic), so no lock is taken. The callback side (verification, pushes) is callback.ts, which
// any instance answers from the same records.
import { randomBytes } from "node:crypto";
import type { HubAnswer, HubRequestOptions } from "../ingest/fetch/hub-request.js";
import type { Logger } from "../log.js";
import type { PollOutcome } from "../model/poll.js";
import type { Subscription } from "../model/websub.js";
import type { WebSubSubscriptions } from "../store/subscriptions.js";
import { discover } from "./discovery.js";

/** What the subscriber needs from the config in force, read afresh for every decision. */
export interface SubscriberSettings {
  /** `websub.subscribe`. */
  enabled: boolean;
  /** `service.baseUrl`: callbacks live under it. */
  baseUrl: string;
  /** `websub.leaseSeconds`: the lease asked for (the hub grants what it grants). */
  leaseSeconds: number;
  /** The sources that may be subscribed: enabled ones of the config. */
  sourceIds: ReadonlySet<string>;
  hubRequest: HubRequestOptions;
}

export type HubPost = (
  hub: string,
  form: Readonly<Record<string, string>>,
  options: HubRequestOptions,
) => Promise<HubAnswer>;

export interface SubscriberDeps {
  subscriptions: WebSubSubscriptions;
  settings(): SubscriberSettings;
  post: HubPost;
  logger: Logger;
  onHubRequest?(mode: "subscribe" | "renew" | "unsubscribe", accepted: boolean): void;
  now?: () => number;
}

/** A renewal is sent once this share of the granted lease has passed (85 %). */
export const RENEW_AT = 0.85;
/** A hub that has not verified a request within this long is taken to have dropped it. */
export const VERIFY_WITHIN_MS = 10 * 60_000;
/** After a failure, the next subscription attempt waits this long (a later poll makes it). */
export const RETRY_FAILED_MS = 60 * 60_000;
/** How often leases are checked for renewal and records for sources that left the config. */
export const SWEEP_MS = 1_000;

/** The callback URL of a subscription: `{baseUrl}/websub/callback/{source}/{token}`. */
export function callbackUrl(baseUrl: string, sourceId: string, token: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/websub/callback/${encodeURIComponent(sourceId)}/${token}`;
}

export class Subscriber {
  readonly #deps: SubscriberDeps;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  /** Sources with a request being sent by this process: not started twice at once. */
  readonly #busy = new Set<string>();

  constructor(deps: SubscriberDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Starts the periodic sweep (renewals, expiries, unsubscriptions). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping;
  }

  /**
   * After a poll: subscribes when the feed advertises a hub and the source has no current
   * subscription to it. Never rejects (a store or hub failure is logged).
   */
  async observe(outcome: PollOutcome): Promise<void> {
    const settings = this.#deps.settings();
    if (!settings.enabled || outcome.advertised === undefined) return;
    if (!settings.sourceIds.has(outcome.sourceId)) return;
    const found = discover(outcome.advertised);
    if (found === undefined) return;
    await this.#guarded(outcome.sourceId, async () => {
      const existing = await this.#deps.subscriptions.get(outcome.sourceId);
      if (existing !== undefined && !this.#wantsNew(existing, found)) return;
      if (existing?.state === "active") {
        // Moved to another hub or topic: the old subscription is let go (its pushes get 410).
        void this.#send("unsubscribe", existing, settings);
      }
      const hub = found.hubs[0] as string;
      await this.#subscribe(outcome.sourceId, hub, found.topic, settings);
    });
  }

  /** Whether a stored subscription no longer stands for what the feed advertises now. */
  #wantsNew(existing: Subscription, found: { hubs: string[]; topic: string }): boolean {
    if (existing.state === "unsubscribing") return true;
    if (existing.topic !== found.topic || !found.hubs.includes(existing.hub)) return true;
    if (existing.state === "failed") return this.#now() - existing.requestedAt >= RETRY_FAILED_MS;
    return false;
  }

  async #subscribe(
    sourceId: string,
    hub: string,
    topic: string,
    settings: SubscriberSettings,
  ): Promise<void> {
    const subscription: Subscription = {
      sourceId,
      hub,
      topic,
      // Unguessable: only the hub we told learns the callback, and the secret signs its pushes.
      token: randomBytes(18).toString("base64url"),
      secret: randomBytes(32).toString("hex"),
      state: "pending",
      requestedAt: this.#now(),
    };
    await this.#deps.subscriptions.put(subscription);
    this.#deps.logger.info({ source: sourceId, hub, topic }, "websub: subscribing");
    await this.#send("subscribe", subscription, settings);
  }

  /**
   * One sweep: renews leases nearing their end, marks lapsed ones and unverified requests
   * failed, and unsubscribes sources that left the config (or all, once subscribing is off).
   * Never rejects; a sweep still running makes the next one wait for it.
   */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweepNow()
      .catch((error: unknown) =>
        this.#deps.logger.warn({ error: String(error) }, "websub: could not check subscriptions"),
      )
      .finally(() => {
        this.#sweeping = undefined;
      });
    return this.#sweeping;
  }

  async #sweepNow(): Promise<void> {
    const settings = this.#deps.settings();
    const now = this.#now();
    for (const subscription of await this.#deps.subscriptions.list()) {
      await this.#guarded(subscription.sourceId, () => this.#check(subscription, settings, now));
    }
  }

  async #check(s: Subscription, settings: SubscriberSettings, now: number): Promise<void> {
    const { subscriptions, logger } = this.#deps;
    const wanted = settings.enabled && settings.sourceIds.has(s.sourceId);
    if (s.state === "unsubscribing") {
      // A hub that never verifies the unsubscription: the record goes; its pushes then get 410.
      if (now - s.requestedAt >= VERIFY_WITHIN_MS) await subscriptions.remove(s.sourceId, s.token);
      return;
    }
    if (!wanted) {
      if (s.state === "failed" || s.state === "pending") {
        // Nothing to let go at the hub (or nothing it confirmed): forget it, and still tell it.
        if (s.state === "pending") void this.#send("unsubscribe", s, settings);
        await subscriptions.remove(s.sourceId, s.token);
        return;
      }
      const updated = await subscriptions.update(s.sourceId, s.token, {
        state: "unsubscribing",
        requestedAt: now,
        renewing: undefined,
      });
      if (updated === undefined) return;
      logger.info({ source: s.sourceId, hub: s.hub }, "websub: unsubscribing");
      await this.#send("unsubscribe", updated, settings);
      return;
    }
    if (s.state === "pending" && now - s.requestedAt >= VERIFY_WITHIN_MS) {
      await this.#fail(s, `hub did not verify within ${VERIFY_WITHIN_MS / 60_000} minutes`);
      return;
    }
    if (s.state !== "active") return;
    const expiresAt = s.expiresAt ?? now;
    const leaseMs = (s.leaseSeconds ?? 0) * 1000;
    if (now >= expiresAt) {
      await this.#fail(s, "lease ended without renewal");
      return;
    }
    if (now < expiresAt - (1 - RENEW_AT) * leaseMs) return;
    // A renewal not verified yet is sent again after a short share of the lease (1 s – 10 min).
    const retryMs = Math.min(VERIFY_WITHIN_MS, Math.max(1_000, leaseMs * 0.05));
    if (s.renewing && now - s.requestedAt < retryMs) return;
    const renewing = await subscriptions.update(s.sourceId, s.token, {
      renewing: true,
      requestedAt: now,
    });
    if (renewing === undefined) return;
    logger.info({ source: s.sourceId, hub: s.hub }, "websub: renewing the lease");
    await this.#send("renew", renewing, settings);
  }

  async #fail(s: Subscription, failure: string): Promise<void> {
    this.#deps.logger.warn(
      { source: s.sourceId, hub: s.hub, failure },
      "websub: subscription failed",
    );
    await this.#deps.subscriptions.update(s.sourceId, s.token, {
      state: "failed",
      failure,
      renewing: undefined,
    });
  }

  /** Sends one request; a refused subscription (not a refused renewal) becomes `failed`. */
  async #send(
    mode: "subscribe" | "renew" | "unsubscribe",
    s: Subscription,
    settings: SubscriberSettings,
  ): Promise<void> {
    const form: Record<string, string> = {
      "hub.callback": callbackUrl(settings.baseUrl, s.sourceId, s.token),
      "hub.mode": mode === "unsubscribe" ? "unsubscribe" : "subscribe",
      "hub.topic": s.topic,
    };
    if (mode !== "unsubscribe") {
      form["hub.lease_seconds"] = String(settings.leaseSeconds);
      form["hub.secret"] = s.secret;
    }
    const answer = await this.#deps.post(s.hub, form, settings.hubRequest);
    this.#deps.onHubRequest?.(mode, answer.ok);
    if (answer.ok) return;
    this.#deps.logger.warn(
      { source: s.sourceId, hub: s.hub, mode, error: answer.message },
      "websub: hub refused the request",
    );
    // A refused renewal keeps the lease it has; the sweep tries again before it ends.
    if (mode === "subscribe") await this.#fail(s, answer.message);
  }

  /** One request per source at a time in this process; failures are logged, never thrown. */
  async #guarded(sourceId: string, work: () => Promise<void>): Promise<void> {
    if (this.#busy.has(sourceId)) return;
    this.#busy.add(sourceId);
    try {
      await work();
    } catch (error) {
      this.#deps.logger.warn({ source: sourceId, error: String(error) }, "websub: request failed");
    } finally {
      this.#busy.delete(sourceId);
    }
  }
}
