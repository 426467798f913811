// A Lua script run by its SHA1 (EVALSHA), sent in full only when Redis does not know it yet (a
// new or restarted Redis answers NOSCRIPT): the hot paths send 40 bytes, not the whole script.
import { createHash } from "node:crypto";
import type { RedisClient } from "./redis-client.js";

export class LuaScript {
  readonly source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]) {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
