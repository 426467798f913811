// Child process of bench/hostile.ts: the hostile partner server with the whole catalogue sized
// for the production limits, so that its bombs and bodies never count in the polling process's
// memory. Prints { origin, sources } as one JSON line, then serves until killed.
import { hostileCatalogue } from "../test/hostile/catalogue.js";
import { startHostileServer } from "../test/hostile/hostile-server.js";

const maxBytes = Number(process.env.BENCH_MAX_BYTES ?? 15 * 1024 * 1024);
const catalogue = await hostileCatalogue({ maxBytes, heavyParsing: true });
const server = await startHostileServer(undefined, catalogue.routes);
process.stdout.write(`${JSON.stringify({ origin: server.origin, sources: catalogue.sources })}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
