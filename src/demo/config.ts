// The configuration `tributary serve --demo` runs with, built in code (the config file is not
// read): four categories and the bundled sample partners, polled every minute, five entries to
// an archive page. It goes through
// parseConfig like any file, so PORT, HOST, LOG_LEVEL and TRIBUTARY_BASE_URL still apply.
import { stringify } from "yaml";
import { parseConfig } from "../config/load.js";
import type { Config } from "../config/types.js";
import { DEMO_PARTNERS } from "./server.js";

type Env = Record<string, string | undefined>;

export function demoConfig(partnersOrigin: string, env: Env): Config {
  const file = {
    service: {
      title: "Tributary demo — sample partner feeds",
      // A demo is for the machine it runs on, unless HOST says otherwise.
      host: "127.0.0.1",
    },
    // The partners are on loopback, which is refused by default.
    polling: { schedule: "* * * * *", allowPrivateNetworks: true, timeoutMs: 5000 },
    // A dozen sample entries: five to a page, so the archive pages show their paging.
    pages: { perPage: 5 },
    categories: [
      {
        id: "trafficking",
        title: "Human trafficking",
        description: "Trafficking in persons and forced labour.",
      },
      { id: "migration", title: "Migration", description: "Migrants and migration policy." },
      { id: "refugees", title: "Refugees and displacement", description: "Refugees and asylum." },
      { id: "research", title: "Research", description: "Peer-reviewed research." },
    ],
    sources: DEMO_PARTNERS.map((partner) => ({
      id: partner.id,
      title: partner.title,
      url: `${partnersOrigin}${partner.path}`,
      homepage: `${partnersOrigin}${partner.homepagePath}`,
      categories: partner.categories,
    })),
  };
  // Demo entries must never land in a real deployment's shared store.
  const { REDIS_URL: _ignored, ...rest } = env;
  return parseConfig(stringify(file), rest, "demo configuration");
}
