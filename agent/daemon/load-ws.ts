// The `ws` library. ws is CommonJS and requires Node built-ins (`events`, `http`, …) at run
// time; both esbuild bundles (dist/bundle/ and the self-contained dist/afterpatch-agent.mjs)
// define `require` through a createRequire banner, so ws is bundled like any other module and
// the agent bundle runs without node_modules.
import WebSocketModule from 'ws';

export const WebSocket = WebSocketModule;
export type WebSocket = WebSocketModule;
