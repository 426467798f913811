// Reading request headers as values or absent.
import type { Context } from "koa";

/** Undefined when absent: Koa's `ctx.get` answers "" for a missing header. */
export function header(ctx: Context, name: string): string | undefined {
  const value = ctx.get(name);
  return value === "" ? undefined : value;
}
