// The HTML page of an error on a route that serves pages: the status and the message written
// for the client (never a stack). Rendered with the operator's templates (error.liquid); if
// that fails — a template bug must not hide the error it reports — a plain page is sent.
import { STATUS_CODES } from "node:http";
import type { Logger } from "pino";
import { escapeQuoted } from "../model/escape.js";
import type { PagePublisher } from "../pages/pages.js";
import { FALLBACK_CSP, pageHeaders } from "./html.js";

export interface ErrorPageAnswer {
  html: string;
  headers: Readonly<Record<string, string>>;
}

export function errorPage(
  pages: PagePublisher | undefined,
  status: number,
  message: string,
  logger: Logger,
): ErrorPageAnswer {
  const heading = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  if (pages !== undefined) {
    try {
      return {
        html: pages.error(status, heading, message),
        headers: pageHeaders(pages.styleSource),
      };
    } catch (err) {
      logger.error({ err }, "the error page template failed; sent the plain page");
    }
  }
  return {
    html: plainErrorPage(heading, message),
    headers: { "Content-Security-Policy": FALLBACK_CSP },
  };
}

export function plainErrorPage(heading: string, message: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeQuoted(heading)}</title></head>`,
    "<body>",
    `<h1>${escapeQuoted(heading)}</h1>`,
    `<p>${escapeQuoted(message)}</p>`,
    '<p><a href="/">Home</a></p>',
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
