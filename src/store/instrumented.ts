// A Store decorator that reports each failed operation by name (for
// `tributary_store_errors_total{operation}`) and rethrows it unchanged, and each write that
// succeeded (for the WebSub hub notifier: whatever wrote — a poll, a push, a takedown, a
// reload re-filing entries — published content may have changed).
import { type Store, StoreUnavailableError } from "./store.js";

/** The methods that change entries or their listings (what the feeds publish). */
const WRITES = new Set<PropertyKey>([
  "upsert",
  "applyRetention",
  "removeSource",
  "removeEntries",
  "hide",
  "unhide",
]);

/**
 * Wraps every method of `store`, present and future (a Proxy, so a method added to the Store
 * interface is counted without touching this file). Only StoreUnavailableError counts: an
 * InvalidCursorError is the client's mistake, not the store's.
 */
export function instrumentStore(
  store: Store,
  onError: (operation: string) => void,
  onWrite?: (operation: string) => void,
): Store {
  // One wrapper per method, made on first use: the feed hot path calls version() per request.
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      // Read from the target itself: the stores keep their state in private (#) fields.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let wrapper = wrappers.get(property);
      if (wrapper === undefined) {
        const operation = String(property);
        const count = (error: unknown): never => {
          if (error instanceof StoreUnavailableError) onError(operation);
          throw error;
        };
        const written =
          onWrite !== undefined && WRITES.has(property)
            ? <T>(result: T): T => {
                onWrite(operation);
                return result;
              }
            : undefined;
        wrapper = (...args: unknown[]) => {
          try {
            const result: unknown = value.apply(target, args);
            if (!(result instanceof Promise)) return result;
            return written ? result.then(written, count) : result.catch(count);
          } catch (error) {
            return count(error);
          }
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
