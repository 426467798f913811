// HTTP/1.1 over a plain TCP socket, for requests no client library sends as written: paths with
// dot segments (clients normalise them), malformed request lines, half-sent requests.
import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

/** Connects to the host and port of `url`; the socket is open once this resolves. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Sends `text` as it is and reads until the server closes the connection. */
export async function rawRequest(url: string, text: string | Buffer): Promise<RawAnswer> {
  const socket = await openSocket(url);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => {
    socket.once("close", () => resolve());
    // A reset after the answer still leaves the answer to read.
    socket.on("error", () => {});
  });
  socket.write(text);
  await closed;
  return parseAnswer(Buffer.concat(chunks).toString("latin1"));
}

/** A request for `path` with `Connection: close`, exactly as given. */
export function rawCall(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: tributary.test", "Connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return rawRequest(url, `${lines.join("\r\n")}\r\n\r\n`);
}

function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: end < 0 ? "" : text.slice(end + 4) };
}
