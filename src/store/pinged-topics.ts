// What the WebSub hubs were last told of each topic (a feed URL): the ETag of the content of the
// last publish ping. `mark` is the one step that decides who pings: it records the ETag and says
// whether it differs from the last one recorded, atomically, so of several instances that saw the
// same change only the first to mark it pings, and a check that finds the ETag it already pinged
// (a poll that changed nothing) pings nobody.
export interface PingedTopics {
  /**
   * Records `etag` as what `topic`'s hubs are told of, kept `ttlMs`. True when it differs from the
   * ETag recorded before (or none was): the caller pings. False when it is the same: someone
   * already did.
   */
  mark(topic: string, etag: string, ttlMs: number): Promise<boolean>;
}

/** One process: a map, with expiry checked on read. */
export class MemoryPingedTopics implements PingedTopics {
  readonly #marks = new Map<string, { etag: string; expiresAt: number }>();
  readonly #assertOpen: () => void;

  constructor(assertOpen: () => void = () => {}) {
    this.#assertOpen = assertOpen;
  }

  async mark(topic: string, etag: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    const now = Date.now();
    const last = this.#marks.get(topic);
    const changed = last === undefined || last.expiresAt <= now || last.etag !== etag;
    this.#marks.set(topic, { etag, expiresAt: now + Math.max(1, ttlMs) });
    return changed;
  }
}
