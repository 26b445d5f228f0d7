import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractNodeImports } from '../../../agent/scripts/node-imports.js';

/** Writes a template substitution as @{…} so that the test table is no template itself. */
const tpl = (source: string) => source.replaceAll('@{', '${');

describe('extractNodeImports', () => {
  const cases: [string, string, string[]][] = [
    ['require', "const x = require('./x');", ['./x']],
    ['require double quotes and spaces', 'require ( "y" )', ['y']],
    ['require template without substitution', 'require(`./t`)', ['./t']],
    ['import from', "import a, { b } from './a.js';", ['./a.js']],
    ['import star', "import * as ns from 'pkg/sub'", ['pkg/sub']],
    ['side-effect import', "import './polyfill.js';", ['./polyfill.js']],
    ['export from', 'export * from \'./x.mjs\'; export { y } from "./y.mjs";', ['./x.mjs', './y.mjs']],
    ['dynamic import', "await import('./lazy.js')", ['./lazy.js']],
    ['minified', "import{a}from'./m';const b=require('./n')", ['./n', './m']],
    ['scoped', "require('@scope/pkg')", ['@scope/pkg']],
    ['duplicates once', "require('./x'); require('./x')", ['./x']],
    ['line comment', "// require('./nope')\nrequire('./yes')", ['./yes']],
    ['block comment', "/* import './nope' */ require('./yes')", ['./yes']],
    ['string', 'const s = "require(\'./nope\')";', []],
    ['template text', "const s = `require('./nope')`;", []],
    ['template substitution is code', tpl("const s = `@{require('./yes')}`;"), ['./yes']],
    ['nested template', tpl("`a @{`b @{require('./deep')}`} c`"), ['./deep']],
    ['template with braces in code', tpl("`@{ {a: require('./obj')}.a }`"), ['./obj']],
    ['regex literal', "const re = /require\\('.\\/nope'\\)/; require('./yes')", ['./yes']],
    ['regex with quote', "if (/'/.test(s)) require('./yes')", ['./yes']],
    ['regex after return', "function f() { return /\"/g }\nrequire('./yes')", ['./yes']],
    ['division is no regex', "const a = b / c; require('./yes') / 2", ['./yes']],
    ['computed specifier', tpl('require(name); import(`./@{x}`)'), []],
    ['method named require', "loader.require('./nope')", []],
    ['hashbang', "#!/usr/bin/env node\nrequire('./yes')", ['./yes']],
    ['identifier ending in require', "myrequire('./nope')", []],
  ];
  for (const [name, source, expected] of cases) {
    it(name, () => assert.deepEqual(extractNodeImports(source), expected));
  }
});

describe('extractNodeImports on hostile input', () => {
  it('stays linear on a line of escaped, never closed quotes', () => {
    const started = Date.now();
    assert.deepEqual(extractNodeImports(`${'"\\'.repeat(100_000)}x\nrequire('a')`), ['a']);
    // Quadratic scanning takes minutes on this input; linear takes milliseconds.
    assert.ok(Date.now() - started < 2000);
  });
});
