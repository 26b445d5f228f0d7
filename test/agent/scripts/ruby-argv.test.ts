import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRubyArgv, type RubyInvocation } from '../../../agent/scripts/ruby-argv.js';

describe('parseRubyArgv', () => {
  const base: RubyInvocation = { requires: [], includeDirs: [], searchPath: false, gems: true };
  const cases: [string[], Partial<RubyInvocation>][] = [
    [['ruby', 'app.rb', '-p', '80'], { script: 'app.rb' }],
    [['ruby', '-w', 'app.rb'], { script: 'app.rb' }],
    [['ruby', '-I', 'lib', '-Iext', 'app.rb'], { script: 'app.rb', includeDirs: ['lib', 'ext'] }],
    [['ruby', '-rjson', '-r', 'set', 'app.rb'], { script: 'app.rb', requires: ['json', 'set'] }],
    [['ruby', '-wrjson', 'app.rb'], { script: 'app.rb', requires: ['json'] }],
    [['ruby', '-e', 'puts 1', 'arg'], { code: 'puts 1' }],
    [['ruby', '-ne', 'print', 'f'], { code: 'print' }],
    [['ruby', '-C', '/srv', 'app.rb'], { script: 'app.rb' }],
    [['ruby', '-E', 'UTF-8', 'app.rb'], { script: 'app.rb' }],
    [['ruby', '-W:no-deprecated', '-x', 'app.rb'], { script: 'app.rb' }],
    [['ruby', '--disable-gems', 'app.rb'], { script: 'app.rb', gems: false }],
    [['ruby', '--disable=did_you_mean,gems', 'app.rb'], { script: 'app.rb', gems: false }],
    [['ruby', '--disable=all', 'app.rb'], { script: 'app.rb', gems: false }],
    [['ruby', '--encoding', 'UTF-8', 'app.rb'], { script: 'app.rb' }],
    [['ruby', '--yjit', 'app.rb'], { script: 'app.rb' }],
    [['ruby', '-S', 'rake'], { script: 'rake', searchPath: true }],
    [['ruby', '-'], {}],
  ];
  for (const [argv, expected] of cases) {
    it(JSON.stringify(argv), () => assert.deepEqual(parseRubyArgv(argv), { ...base, ...expected }));
  }
});
