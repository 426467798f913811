// A live "polled 3/12" line for `tributary poll` on a terminal: rewritten in place as each
// source finishes, erased before the results are printed. Only used when stderr is a TTY;
// piped output gets no escape codes at all.
import type { PollOutcome } from "../model/poll.js";

/** Carriage return, then erase the whole line. */
const CLEAR_LINE = "\r\u001B[2K";

export class PollProgress {
  readonly #stream: NodeJS.WritableStream;
  readonly #total: number;
  #done = 0;
  #failed = 0;
  #shown = false;

  constructor(stream: NodeJS.WritableStream, total: number) {
    this.#stream = stream;
    this.#total = total;
  }

  /** Shows the line before the first source finishes, so a slow start is not silent. */
  start(): void {
    this.#write(`polling ${this.#total} source${this.#total === 1 ? "" : "s"}…`);
  }

  /** Bound, so it can be handed to the poller as its outcome listener. */
  readonly update = (outcome: PollOutcome): void => {
    this.#done++;
    if (outcome.status === "error" || outcome.status === "gone") this.#failed++;
    const failed = this.#failed > 0 ? `, ${this.#failed} failed` : "";
    this.#write(
      `polled ${this.#done}/${this.#total}${failed} — ${outcome.sourceId} ${outcome.status}`,
    );
  };

  /** Erases the line, leaving the cursor where the results start. */
  finish(): void {
    if (!this.#shown) return;
    this.#stream.write(CLEAR_LINE);
    this.#shown = false;
  }

  #write(text: string): void {
    this.#stream.write(`${CLEAR_LINE}${text}`);
    this.#shown = true;
  }
}
