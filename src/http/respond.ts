// Writing a rendered value onto a Koa context. Kept apart from handlers so they return data.
import type { Context } from "koa";

export const JSON_TYPE = "application/json; charset=utf-8";
export const HTML_TYPE = "text/html; charset=utf-8";

/** Serialised here rather than by Koa so the charset is always in the Content-Type. */
export function sendJson(ctx: Context, data: unknown, status = 200): void {
  ctx.status = status;
  ctx.set("Content-Type", JSON_TYPE);
  ctx.body = JSON.stringify(data);
}

export function sendHtml(ctx: Context, html: string, status = 200): void {
  ctx.status = status;
  ctx.set("Content-Type", HTML_TYPE);
  ctx.body = html;
}
