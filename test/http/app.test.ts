import test from "ava";
import { call, startApp } from "../helpers/app.js";

test("an unknown path is a JSON 404", async (t) => {
  const { url } = await startApp(t);
  for (const path of ["/nope", "/api/nope", "/feeds/", "/feeds/all.rss/extra"]) {
    const res = await call(`${url}${path}`);
    t.is(res.status, 404, path);
    t.is(res.header("content-type"), "application/json; charset=utf-8");
    t.deepEqual(res.json(), { error: "not found" });
  }
});

test("a known path with another method is a JSON 405 with Allow", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/feeds/all.rss`, { method: "POST" });
  t.is(res.status, 405);
  t.deepEqual(res.json(), { error: "method not allowed" });
  t.regex(res.header("allow"), /GET/);
  t.is(res.header("access-control-allow-origin"), "*");
});

test("every response says nosniff; error bodies carry no stack trace", async (t) => {
  const { url } = await startApp(t);
  for (const path of [
    "/nope",
    "/feeds/all.xml",
    "/feeds/all.rss?limit=x",
    "/api/updates?cursor=zz",
  ]) {
    const res = await call(`${url}${path}`);
    t.is(res.header("x-content-type-options"), "nosniff", path);
    const body = res.body.toString();
    t.false(/\bat .+:\d+:\d+/.test(body), path);
    t.deepEqual(Object.keys(res.json() as object), ["error"], path);
  }
});

test("a malformed percent-encoding in a feed path does not crash the route", async (t) => {
  const { url } = await startApp(t);
  const res = await call(`${url}/feeds/%E0%A4%A.rss`);
  t.true(res.status === 400 || res.status === 404, String(res.status));
  t.deepEqual(Object.keys(res.json() as object), ["error"]);
});
