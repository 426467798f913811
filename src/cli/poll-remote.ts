// `tributary poll --url`: a running server polls, through its admin API, and this process prints
// the outcomes. The way to poll a service that keeps its entries in the embedded memory store
// (which lives inside the serving process), or to poll with the server's own config and state.
import type { PollOutcome } from "../model/poll.js";
import { errorMessageOf, unreachable } from "./server-answer.js";

/** Polls run up to their fetch deadline and parse time limit each; a server that says nothing
 * for this long is reported rather than waited for. */
const SERVER_TIMEOUT_MS = 300_000;

export type RemotePoll = { ok: true; outcomes: PollOutcome[] } | { ok: false; message: string };

/**
 * `POST /admin/poll?wait=1`, or `POST /admin/sources/{id}/poll?wait=1` for each named source (at
 * once), with the admin token; resolves with every outcome, or with a message saying why not.
 */
export async function pollThroughServer(
  base: string,
  sources: readonly string[],
  token: string,
): Promise<RemotePoll> {
  const root = base.replace(/\/+$/, "");
  const paths =
    sources.length === 0
      ? ["/admin/poll"]
      : [...new Set(sources)].map((id) => `/admin/sources/${encodeURIComponent(id)}/poll`);
  const answers = await Promise.all(paths.map((path) => pollOnce(`${root}${path}?wait=1`, token)));
  const failed = answers.find((answer) => !answer.ok);
  if (failed) return failed;
  return { ok: true, outcomes: answers.flatMap((answer) => (answer.ok ? answer.outcomes : [])) };
}

async function pollOnce(url: string, token: string): Promise<RemotePoll> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { accept: "application/json", authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(SERVER_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, message: unreachable(url, error, SERVER_TIMEOUT_MS) };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) return { ok: false, message: refusal(url, response.status, text) };
  try {
    const body = JSON.parse(text) as { outcomes?: unknown };
    if (Array.isArray(body.outcomes) && body.outcomes.every(isOutcome)) {
      return { ok: true, outcomes: body.outcomes };
    }
  } catch {
    // Reported below with the same message as a wrong shape.
  }
  return { ok: false, message: `${url} did not answer with poll outcomes` };
}

function refusal(url: string, status: number, text: string): string {
  const detail = errorMessageOf(text);
  const said = `${url} answered HTTP ${status}${detail ? `: ${detail}` : ""}`;
  if (status === 401) return `${said} (ADMIN_TOKEN differs from the server's)`;
  if (status === 404 && detail === "not found") {
    return `${said} (the server's admin API is off: start it with ADMIN_TOKEN set)`;
  }
  return said;
}

function isOutcome(value: unknown): value is PollOutcome {
  const o = value as Partial<PollOutcome> | null;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.sourceId === "string" &&
    typeof o.status === "string" &&
    typeof o.added === "number" &&
    typeof o.updated === "number" &&
    typeof o.durationMs === "number"
  );
}
