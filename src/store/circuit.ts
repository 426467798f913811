// A circuit breaker for a backend that hangs rather than goes away. A SIGSTOPped, swapping or
// overloaded Redis keeps its connection open and accepts commands but answers none, so every
// call would wait the full command timeout. After one call timed out the circuit opens: calls
// fail at once, and a background probe (a PING with its own short timeout) closes it again as
// soon as the backend answers. A lost connection needs none of this: it already fails at once.
import { StoreUnavailableError } from "./store.js";

export interface CircuitOptions {
  /** One probe of the backend, bounded by its own short timeout; resolves when it answered. */
  probe: () => Promise<unknown>;
  /** Time from the start of one probe to the start of the next while the circuit is open. */
  probeIntervalMs: number;
  /** Called once when the circuit opens, with the timeout that opened it. */
  onOpen?: (cause: Error) => void;
  /** Called once when it closes again, with how long it was open. */
  onClose?: (openForMs: number) => void;
}

export class Circuit {
  readonly #options: CircuitOptions;
  #openedAt: number | undefined;
  #cause: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: CircuitOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#openedAt !== undefined;
  }

  /** Throws StoreUnavailableError while open, so the caller never waits for a hung backend. */
  assertClosed(what: string): void {
    if (this.#openedAt === undefined) return;
    const forMs = Date.now() - this.#openedAt;
    throw new StoreUnavailableError(
      `Redis store could not ${what}: Redis has not answered for ${forMs} ms ` +
        `(${this.#cause?.message ?? "a command timed out"}); failing at once until it answers`,
      { cause: this.#cause },
    );
  }

  /** A call timed out: open, and probe until the backend answers. Idempotent. */
  open(cause: Error): void {
    if (this.#openedAt !== undefined || this.#stopped) return;
    this.#openedAt = Date.now();
    this.#cause = cause;
    this.#options.onOpen?.(cause);
    this.#probeAfter(this.#options.probeIntervalMs);
  }

  /** The backend answered (a probe, or a fresh connection's ready check). Idempotent. */
  close(): void {
    if (this.#openedAt === undefined) return;
    clearTimeout(this.#timer);
    const openForMs = Date.now() - this.#openedAt;
    this.#openedAt = undefined;
    this.#cause = undefined;
    this.#options.onClose?.(openForMs);
  }

  /** No more probes: the client is closing. The circuit stays as it is. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #probeAfter(ms: number): void {
    this.#timer = setTimeout(() => void this.#probe(), ms);
    // A probe never keeps the process alive (shutdown with a hung Redis must not wait on it).
    this.#timer.unref();
  }

  async #probe(): Promise<void> {
    const started = Date.now();
    try {
      await this.#options.probe();
    } catch {
      if (this.#stopped || this.#openedAt === undefined) return;
      this.#probeAfter(Math.max(0, this.#options.probeIntervalMs - (Date.now() - started)));
      return;
    }
    if (!this.#stopped) this.close();
  }
}
