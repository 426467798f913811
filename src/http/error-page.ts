// The short HTML page of an error on a route that serves pages: the status and the message
// written for the client (never a stack), escaped like everything else.
import { STATUS_CODES } from "node:http";
import { escapeQuoted } from "../model/escape.js";
import { PAGE_STYLE } from "./html.js";

export function renderErrorPage(status: number, message: string): string {
  const title = escapeQuoted(`${status} ${STATUS_CODES[status] ?? "Error"}`);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    PAGE_STYLE,
    "</head>",
    "<body>",
    `<h1>${title}</h1>`,
    `<p>${escapeQuoted(message)}</p>`,
    '<p><a href="/">Home</a></p>',
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
