// The embed script partner pages load (`<tributary-feed>`, assets/tributary-feed.js): its bytes
// as a Representation, its version and its URLs. The file is served byte for byte; it is read
// once, on first use, and never changes while the process runs, so neither do its ETag and
// version (a deploy that changes it changes both).
import { readFileSync } from "node:fs";
import { buildRepresentation, contentHash } from "../publish/representation.js";
import type { Representation } from "../publish/types.js";

export const EMBED_SCRIPT_PATH = "/embed.js";

const ASSET = new URL("./assets/tributary-feed.js", import.meta.url);
const CONTENT_TYPE = "text/javascript; charset=utf-8";
/** Characters of the content hash in `?v=`: enough that two releases never share one. */
const VERSION_CHARS = 10;

export interface EmbedScript {
  representation: Representation;
  /** The content hash's first characters: `?v=` of the URL that may be cached for a year. */
  version: string;
}

let loaded: EmbedScript | undefined;

export function embedScript(): EmbedScript {
  if (loaded === undefined) {
    const text = readFileSync(ASSET, "utf8");
    // No Last-Modified: the ETag and the versioned URL are what clients revalidate with.
    const representation = buildRepresentation(text, CONTENT_TYPE, undefined);
    const version = contentHash(representation.identity.body).slice(0, VERSION_CHARS);
    loaded = { representation, version };
  }
  return loaded;
}

export const embedScriptVersion = (): string => embedScript().version;

/** The versioned URL partner pages load: `${baseUrl}/embed.js?v=<version>`. */
export function embedScriptUrl(baseUrl: string): string {
  return `${baseUrl}${EMBED_SCRIPT_PATH}?v=${embedScriptVersion()}`;
}
