// How every router of the app matches paths: exactly as written. A router that folded case or
// ignored a trailing slash would answer paths that checks written against the literal path
// never see (an admin action reached as `/ADMIN/poll`); exact matching leaves one spelling per
// route, so what a route is, its middleware and its metrics label all agree.
import type { RouterOptions } from "@koa/router";

export const EXACT_PATHS: Readonly<RouterOptions> = { sensitive: true, strict: true };
