// A Store decorator that reports each failed operation by name (for
// `tributary_store_errors_total{operation}`) and rethrows it unchanged.
import { type Store, StoreUnavailableError } from "./store.js";

/**
 * Wraps every method of `store`, present and future (a Proxy, so a method added to the Store
 * interface is counted without touching this file). Only StoreUnavailableError counts: an
 * InvalidCursorError is the client's mistake, not the store's.
 */
export function instrumentStore(store: Store, onError: (operation: string) => void): Store {
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
        wrapper = (...args: unknown[]) => {
          try {
            const result: unknown = value.apply(target, args);
            return result instanceof Promise ? result.catch(count) : result;
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
