// What one `tributary serve` process does when several share one Redis: `all` serves and polls
// (the only choice on the embedded memory store, which no other process can see), `api` serves
// readers and never polls, `worker` polls and serves only health, readiness, metrics and admin.
export const ROLES = ["all", "api", "worker"] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role =>
  (ROLES as readonly string[]).includes(value);

/** Runs the schedule, the poll at start and the parse workers. */
export const rolePolls = (role: Role): boolean => role !== "api";

/** Serves feeds, pages, the JSON API, OPML and the embed script. */
export const roleServesReaders = (role: Role): boolean => role !== "worker";
