// tsc compiles only TypeScript: the page templates and the embed script are read at run time
// next to the compiled modules, so the build copies them into dist/ beside them.
import { cp } from "node:fs/promises";

for (const folder of ["templates", "assets"]) {
  await cp(`src/pages/${folder}`, `dist/pages/${folder}`, { recursive: true });
}
