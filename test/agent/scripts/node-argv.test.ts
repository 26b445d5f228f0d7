import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type NodeInvocation, parseNodeArgv } from '../../../agent/scripts/node-argv.js';

describe('parseNodeArgv', () => {
  const base: NodeInvocation = { requires: [], imports: [] };
  const cases: [string[], Partial<NodeInvocation>][] = [
    [['node', 'server.js', '--port', '80'], { script: 'server.js' }],
    [['node', '--enable-source-maps', 'dist/main.js'], { script: 'dist/main.js' }],
    [['node', '-r', 'dotenv/config', 'app.js'], { script: 'app.js', requires: ['dotenv/config'] }],
    [['node', '--require=./trace.js', 'app.js'], { script: 'app.js', requires: ['./trace.js'] }],
    [['node', '--import', 'tsx', 'app.ts'], { script: 'app.ts', imports: ['tsx'] }],
    [['node', '--loader', 'ts-node/esm', 'app.ts'], { script: 'app.ts', imports: ['ts-node/esm'] }],
    [['node', '--inspect=0.0.0.0:9229', 'app.js'], { script: 'app.js' }],
    [['node', '--inspect', 'app.js'], { script: 'app.js' }],
    [['node', '--title', 'myapp', 'app.js'], { script: 'app.js' }],
    [['node', '--max-old-space-size=4096', 'app.js'], { script: 'app.js' }],
    [['node', '--max-old-space-size', '4096', 'app.js'], { script: 'app.js' }],
    [['node', '--stack-size', '2000', 'app.js'], { script: 'app.js' }],
    [['node', '-e', "require('x')", 'arg'], { code: "require('x')" }],
    [['node', '-p', '1+1'], { code: '1+1' }],
    [['node', '-pe', '1+1'], { code: '1+1' }],
    [['node', '-i'], {}],
    [['node'], {}],
    [['node', '-'], {}],
    [['node', '--', 'app.js'], { script: 'app.js' }],
    [['node', '-C', 'development', 'app.js'], { script: 'app.js' }],
  ];
  for (const [argv, expected] of cases) {
    it(JSON.stringify(argv), () => assert.deepEqual(parseNodeArgv(argv), { ...base, ...expected }));
  }
});
