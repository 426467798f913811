// The short HTML page of an error on a route that serves pages: the status and the message
// written for the client (never a stack), escaped like everything else.
import { STATUS_CODES } from "node:http";
import { escapeQuoted } from "../model/escape.js";
import { htmlPage } from "./html.js";

export function renderErrorPage(status: number, message: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  return htmlPage(
    title,
    [],
    [
      `<h1>${escapeQuoted(title)}</h1>`,
      `<p>${escapeQuoted(message)}</p>`,
      '<p><a href="/">Home</a></p>',
    ],
  );
}
