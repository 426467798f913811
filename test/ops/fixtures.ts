// Shared pieces of the operations tests: partner feeds, a config file builder and an in-process
// service with captured logs. Real parts only: a fixture HTTP server, a real config file, the
// real service on a loopback port.
import { writeFileSync } from "node:fs";
import type { ExecutionContext } from "ava";
import { type RunningService, startService } from "../../src/app/service.js";
import { loadConfig } from "../../src/config/load.js";
import { type CapturedLogger, captureLogger } from "../helpers/capture-logger.js";
import { writeConfig } from "../helpers/cli.js";

export const rss = (title: string, guid = title) => `<?xml version="1.0"?>
<rss version="2.0"><channel>
<title>Partner</title><link>https://partner.example.org/</link><description>d</description>
<item><title>${title}</title><link>https://partner.example.org/${guid}</link><guid>${guid}</guid>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Text.</description></item>
</channel></rss>`;

export interface SourceSpec {
  id: string;
  /** Path on the fixture server. */
  path: string;
  schedule?: string;
  enabled?: boolean;
  categories?: string[];
}

/**
 * A config whose default schedule never fires during a test (once a year), so every poll a test
 * sees is one it caused or one it scheduled explicitly.
 */
export function opsYaml(origin: string, sources: SourceSpec[], polling = ""): string {
  const lines = sources.map((s) => {
    const extra = [
      s.schedule ? `schedule: "${s.schedule}"` : "",
      s.enabled === false ? "enabled: false" : "",
    ]
      .filter(Boolean)
      .join(", ");
    const categories = (s.categories ?? ["news"]).join(", ");
    return `  - { id: ${s.id}, title: "Source ${s.id}", url: "${origin}${s.path}", categories: [${categories}]${extra ? `, ${extra}` : ""} }`;
  });
  return `service: { port: 0, host: 127.0.0.1, baseUrl: "http://tributary.test" }
polling: { allowPrivateNetworks: true, timeoutMs: 3000, schedule: "0 0 1 1 *"${polling ? `, ${polling}` : ""} }
categories: [{ id: news, title: News }, { id: other, title: Other }]
sources:
${lines.join("\n")}
`;
}

export interface OpsService {
  service: RunningService;
  url: string;
  log: CapturedLogger;
  configPath: string;
  /** Rewrites the config file (the service reloads it on request: POST /admin/reload). */
  rewrite(yaml: string): void;
}

/** The real service in this process, reading a real config file it can reload. */
export async function startOpsService(
  t: ExecutionContext,
  yaml: string,
  options: { env?: Record<string, string>; pollAtStart?: boolean; reloadable?: boolean } = {},
): Promise<OpsService> {
  const env = options.env ?? {};
  const configPath = writeConfig(t, yaml);
  const log = captureLogger("debug");
  const service = await startService(await loadConfig(configPath, env), log.logger, {
    pollAtStart: options.pollAtStart ?? false,
    reloadConfig: options.reloadable === false ? undefined : () => loadConfig(configPath, env),
    drainMs: 500,
  });
  t.teardown(() => service.stop());
  return {
    service,
    url: service.url,
    log,
    configPath,
    rewrite: (text) => writeFileSync(configPath, text),
  };
}
