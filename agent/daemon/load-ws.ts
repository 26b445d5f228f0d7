// The `ws` library, loaded through createRequire instead of `import`. WHY: ws is CommonJS and
// requires Node built-ins (`events`, `http`, …) at run time, which esbuild's ESM bundle
// (bin/afterpatch.js loads dist/bundle/) cannot do ("Dynamic require of "events" is not
// supported"). Loaded this way, esbuild leaves ws out of the bundle and Node resolves it from
// node_modules when the agent starts. If the bundle script gains `--external:ws` (or a
// createRequire banner), this file can become a plain `export { default } from 'ws'`.
import { createRequire } from 'node:module';
import type WebSocketModule from 'ws';

const requireAtRunTime = createRequire(import.meta.url);

export const WebSocket = requireAtRunTime('ws') as typeof WebSocketModule;
export type WebSocket = WebSocketModule;
