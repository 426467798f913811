// Child process of bench/feeds.ts: a client cycling every valid limit × format × category (and
// coding) as fast as it can over CYCLERS connections, in a process of its own so that its work
// does not delay the cached readers measured by the parent. Prints "cycling" when it starts, then
// its counts as one JSON line.
import { Pool } from "undici";

const [origin, secondsArg, connectionsArg, categoriesArg, maxLimitArg] = process.argv.slice(2);
if (!origin)
  throw new Error("usage: cycle-uncached ORIGIN SECONDS CONNECTIONS CATEGORIES MAX_LIMIT");
const seconds = Number(secondsArg);
const connections = Number(connectionsArg);
const categories = ["all", ...(categoriesArg ?? "").split(",").filter(Boolean)];
const maxLimit = Number(maxLimitArg);

const paths: { path: string; coding: string }[] = [];
const codings = ["br", "gzip", "identity"];
for (let limit = 1; limit <= maxLimit; limit++) {
  for (const category of categories) {
    for (const format of ["rss", "atom", "json"]) {
      const coding = codings[paths.length % codings.length] as string;
      paths.push({ path: `/feeds/${category}.${format}?limit=${limit}`, coding });
    }
  }
}

const pool = new Pool(origin, { connections, pipelining: 1 });
// The parent starts its readers on this line, so both run over the same interval.
process.stdout.write("cycling\n");
const counts = { ok: 0, busy: 0, other: 0, distinct: paths.length };
const deadline = performance.now() + seconds * 1000;
let next = 0;
const cycler = async () => {
  while (performance.now() < deadline) {
    const { path, coding } = paths[next++ % paths.length] as (typeof paths)[number];
    const response = await pool.request({
      method: "GET",
      path,
      headers: { "accept-encoding": coding },
    });
    await response.body.dump();
    if (response.statusCode === 200) counts.ok++;
    else if (response.statusCode === 503) counts.busy++;
    else counts.other++;
  }
};
await Promise.all(Array.from({ length: connections }, cycler));
await pool.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
