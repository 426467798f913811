// Reading the answers of a running Tributary that a command asked over HTTP (`--url`).

/** Why a request to `url` got no HTTP answer at all, in words for the operator. */
export function unreachable(url: string, error: unknown, timeoutMs: number): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason =
    (error as Error).name === "TimeoutError"
      ? `no answer within ${timeoutMs / 1000} s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
  return `cannot reach ${url}: ${reason}`;
}

/** The `error` of a Tributary JSON error body, if the text is one. */
export function errorMessageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === "string" ? body.error : undefined;
  } catch {
    return undefined;
  }
}
