/** Runs at most `limit` async jobs at once; the rest wait in FIFO order. */
export class Limiter {
  #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** A reloaded `polling.concurrency`: a raise starts waiting jobs now, a cut lets running ones finish. */
  set limit(limit: number) {
    this.#limit = limit;
    while (this.#active < this.#limit && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()?.();
    }
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    // A waiting job is woken with its slot already counted, so no newcomer can take it first.
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await job();
    } finally {
      const next = this.#active <= this.#limit ? this.#waiting.shift() : undefined;
      if (next) next();
      else this.#active--;
    }
  }

  get active(): number {
    return this.#active;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
