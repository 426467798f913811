// The total deadline of one fetch, and how anything thrown during it becomes a FetchError.
// One AbortSignal covers connect, headers, every redirect hop and the body: a server that
// drips a byte every few hundred milliseconds satisfies any per-read timeout, so only a total
// deadline stops it. The caller's signal (shutdown) is merged in, and `fired()` tells the two
// apart so a deadline is reported as `timeout` and a shutdown as `aborted`.
import { FetchError, networkFetchError } from "./errors.js";

export interface Deadline {
  /** Aborts on the deadline or on the caller's signal, whichever comes first. */
  signal: AbortSignal;
  /** Which of the two fired, if any. */
  fired(): "timeout" | "aborted" | undefined;
  timeoutMs: number;
  clear(): void;
}

export function startDeadline(timeoutMs: number, external: AbortSignal | undefined): Deadline {
  const timer = new AbortController();
  const handle = setTimeout(
    () => timer.abort(new DOMException(`Deadline of ${timeoutMs} ms exceeded`, "TimeoutError")),
    timeoutMs,
  );
  const signal = external === undefined ? timer.signal : AbortSignal.any([timer.signal, external]);
  return {
    signal,
    timeoutMs,
    // AbortSignal.any keeps the reason of whichever source aborted first.
    fired: () => {
      if (!signal.aborted) return undefined;
      return timer.signal.aborted && signal.reason === timer.signal.reason ? "timeout" : "aborted";
    },
    clear: () => clearTimeout(handle),
  };
}

/** Turns anything thrown during a hop into a FetchError, the deadline taking precedence. */
export function describeFailure(error: unknown, url: string, deadline: Deadline): FetchError {
  if (error instanceof FetchError) return error;
  switch (deadline.fired()) {
    case "timeout":
      return new FetchError(
        "timeout",
        url,
        `No complete response within ${deadline.timeoutMs} ms`,
        { cause: error },
      );
    case "aborted":
      return new FetchError("aborted", url, "Fetch aborted", { cause: error });
    default:
      return networkFetchError(error, url);
  }
}
