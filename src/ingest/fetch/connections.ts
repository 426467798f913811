// The poller's connections to partners, kept alive from one poll to the next (fetch.ts). One
// undici Agent per set of the settings it is built from (the timeout and the address rules);
// a reload that changes them gets a new Agent, and the old one closes once its requests end.
import type { Agent } from "undici";
import { createFetchAgent, type FetchOptions } from "./fetch.js";

type AgentSettings = Pick<FetchOptions, "timeoutMs" | "allowPrivateNetworks">;

export class SharedConnections {
  #agent: Agent | undefined;
  #key = "";
  #closed = false;

  /** The Agent for fetches with these settings; undefined once closed (each fetch opens its own). */
  agentFor(settings: AgentSettings): Agent | undefined {
    if (this.#closed) return undefined;
    const key = `${settings.timeoutMs}|${settings.allowPrivateNetworks}`;
    if (this.#agent === undefined || key !== this.#key) {
      // close(), not destroy(): fetches still running on the old Agent finish normally.
      void this.#agent?.close().catch(() => undefined);
      this.#agent = createFetchAgent(settings);
      this.#key = key;
    }
    return this.#agent;
  }

  /** Drops every connection (the poller has drained, or is aborting what is left). */
  async close(): Promise<void> {
    this.#closed = true;
    const agent = this.#agent;
    this.#agent = undefined;
    await agent?.destroy().catch(() => undefined);
  }
}
