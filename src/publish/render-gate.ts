// Admission for feed pages that must be rendered. Rendering is synchronous CPU on the event
// loop (the `feed` package builds the whole document at once), so a stream of valid but
// uncached requests — every `limit` of every feed, in turn — could otherwise keep the loop busy
// and make every cached reader wait behind it. The gate bounds both how many renders run at
// once and the share of the loop they may take over time; a request beyond either bound is
// refused at once (HTTP answers 503 with Retry-After) rather than queued, and cached pages
// never pass through here, so they are never refused.

export interface RenderGateOptions {
  /** Renders admitted at once, reading their entries included. Default 2. */
  maxInFlight?: number;
  /**
   * Long-run fraction of the event loop's time renders may take. Default 0.05: a 50-entry page
   * costs 1–2 ms, so that is 25–50 pages a second after the burst; under a flood of uncached
   * requests it keeps cached readers' median within 2× (bench/feeds.ts measures it).
   */
  share?: number;
  /**
   * Render time (ms) that may be spent back to back before the share applies, e.g. when a poll
   * has changed many pages at once. Default 200.
   */
  burstMs?: number;
  /** Milliseconds, monotonic; default performance.now. */
  now?: () => number;
}

export const RENDER_GATE_DEFAULTS = { maxInFlight: 2, share: 0.05, burstMs: 200 } as const;

/** Every render slot is taken, or renders have used their share of time: retry shortly. */
export class RenderBusyError extends Error {
  override name = "RenderBusyError";
}

// A refusal is the common answer under load, so it must cost less than a cached hit: these two
// are made once (capturing a stack trace per refusal was a tenth of a refused request's CPU).
const SLOTS_TAKEN = new RenderBusyError("every feed render slot is taken");
const SHARE_USED = new RenderBusyError("feed renders have used their share of time");

/** Runs a synchronous step and charges its duration to the gate. */
export type Timed = <T>(cpu: () => T) => T;

export class RenderGate {
  readonly #maxInFlight: number;
  readonly #share: number;
  readonly #burstMs: number;
  readonly #now: () => number;
  #inFlight = 0;
  /** Render milliseconds that may be spent now: refilled at `share` per elapsed ms. */
  #credit: number;
  #creditAt: number;

  constructor(options: RenderGateOptions = {}) {
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? RENDER_GATE_DEFAULTS.maxInFlight);
    this.#share = Math.min(1, Math.max(0.01, options.share ?? RENDER_GATE_DEFAULTS.share));
    this.#burstMs = Math.max(0, options.burstMs ?? RENDER_GATE_DEFAULTS.burstMs);
    this.#now = options.now ?? (() => performance.now());
    this.#credit = this.#burstMs;
    this.#creditAt = this.#now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs `work` if admitted, else rejects with RenderBusyError without running it. `work`
   * wraps its synchronous rendering in `timed`, so only CPU spent is charged, not the wait
   * for the store.
   */
  async run<T>(work: (timed: Timed) => Promise<T>): Promise<T> {
    this.#admit();
    this.#inFlight++;
    try {
      // Requests already read from sockets in this turn of the event loop (cached hits among
      // them) are answered before this render's CPU runs.
      await new Promise((resolve) => setImmediate(resolve));
      return await work(this.#timed);
    } finally {
      this.#inFlight--;
    }
  }

  #admit(): void {
    const now = this.#now();
    this.#credit = Math.min(this.#burstMs, this.#credit + (now - this.#creditAt) * this.#share);
    this.#creditAt = now;
    if (this.#inFlight >= this.#maxInFlight) throw SLOTS_TAKEN;
    if (this.#credit <= 0) throw SHARE_USED;
  }

  /**
   * Charges synchronous work done for a render after it was admitted (compressing its bytes
   * when a client first asks for a coding), so the share bounds all of a miss's CPU.
   */
  readonly charge: Timed = (cpu) => this.#timed(cpu);

  readonly #timed: Timed = (cpu) => {
    const started = this.#now();
    try {
      return cpu();
    } finally {
      this.#credit -= this.#now() - started;
    }
  };
}
