// Requests Node rejects before Koa sees them: a request line or headers it cannot parse, headers
// beyond its limit, a request that took too long to arrive. Node's default answer has an empty
// body, which reads as a broken server; this one says, in one line of text, what was wrong.
// Installed on the http.Server (`clientError`), so it has only the raw socket to write to.
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

interface ParserError extends Error {
  code?: string;
}

/** Why the request was refused, by Node's parser error code. */
function rejection(error: ParserError): { status: number; reason: string } {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, reason: "the request headers are too large" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "HPE_REQUEST_TIMEOUT":
      return { status: 408, reason: "the request did not arrive in time" };
    default:
      return { status: 400, reason: "the request line or headers are not valid HTTP/1.1" };
  }
}

export function answerClientError(error: ParserError, socket: Duplex): void {
  // A reset connection has nobody to answer; a response already under way cannot be replaced.
  const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === "ECONNRESET" || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, reason } = rejection(error);
  const body = `${status} ${STATUS_CODES[status]}: ${reason}\n`;
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      "Content-Type: text/plain; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "X-Content-Type-Options: nosniff",
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}
