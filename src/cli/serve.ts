import type { Config } from "../config/types.js";
import type { Logger } from "../log.js";
import { startService } from "../service.js";

/** `tributary serve`: runs until SIGTERM or SIGINT, then stops cleanly. */
export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const service = await startService(config, logger);
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down");
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
