// The shape of a bundled demo feed: a path on the demo server and a template rendered with the
// server's origin and dates counted back from when the demo started.

export interface DemoClock {
  /** The demo server's origin, e.g. `http://127.0.0.1:43117`. */
  origin: string;
  /** RFC 822 date `hours` before the demo started (RSS pubDate). */
  hoursAgo(hours: number): string;
  /** ISO 8601 date `hours` before the demo started (Atom, JSON Feed). */
  isoHoursAgo(hours: number): string;
}

export interface DemoFeed {
  path: string;
  contentType: string;
  render(clock: DemoClock): string;
}

export function demoClock(origin: string, startedAt: Date): DemoClock {
  // Whole minutes, so the feed text (and its ETag) is the same on every request.
  const start = Math.floor(startedAt.getTime() / 60_000) * 60_000;
  const at = (hours: number) => new Date(start - hours * 3_600_000);
  return {
    origin,
    hoursAgo: (hours) => at(hours).toUTCString(),
    isoHoursAgo: (hours) => at(hours).toISOString(),
  };
}
