// Replaces a file so that a reader (the running service reloading its config, an editor)
// sees either the old or the new content, never half of it: write a temporary file beside
// it, then rename it over the original. A symlinked config is followed, so the link stays.
import { randomBytes } from "node:crypto";
import { open, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const target = await realpath(path);
  const { mode } = await stat(target);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  const handle = await open(temp, "wx", mode & 0o777);
  try {
    await handle.writeFile(text, "utf8");
    // Durable before it becomes visible: a crash must not leave an empty config behind.
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
