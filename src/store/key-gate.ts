// Runs tasks that name a common key one after another, in the order they asked, and all
// others at once. RedisStore passes its story writes through one: two polls of this instance
// writing copies of one story (a partner and the one republishing it, polled together) would
// otherwise both read the story before either wrote it, and the second write would find it
// changed, be refused and start again — a whole feed's write, sent twice. Writes of other
// instances are still caught by the checked write; the gate only spares this one's the retry.

export class KeyGate {
  /** Key → the end of the last task that named it, while that task is unfinished. */
  readonly #tails = new Map<string, Promise<void>>();

  /** The keys some unfinished task holds or waits for (for tests). */
  get size(): number {
    return this.#tails.size;
  }

  /**
   * Runs `task` once every task that asked earlier for one of `keys` has ended. A task joins
   * every queue it waits in at the moment it asks, so a task only ever waits for earlier ones,
   * and two tasks can never wait for each other.
   */
  async run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const mine = new Set(keys);
    if (mine.size === 0) return task();
    let open = () => {};
    const done = new Promise<void>((resolve) => {
      open = resolve;
    });
    const earlier: Promise<void>[] = [];
    for (const key of mine) {
      const tail = this.#tails.get(key);
      if (tail !== undefined) earlier.push(tail);
      this.#tails.set(key, done);
    }
    try {
      // The tails never reject: each one is resolved in a finally.
      if (earlier.length > 0) await Promise.all(earlier);
      return await task();
    } finally {
      open();
      for (const key of mine) if (this.#tails.get(key) === done) this.#tails.delete(key);
    }
  }
}
