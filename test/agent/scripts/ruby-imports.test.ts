import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractRubyImports, type RubyImport } from '../../../agent/scripts/ruby-imports.js';

const feature = (name: string): RubyImport => ({ kind: 'feature', name });
const relative = (path: string): RubyImport => ({ kind: 'relative', path });

describe('extractRubyImports', () => {
  const cases: [string, string, RubyImport[]][] = [
    ['require', "require 'json'", [feature('json')]],
    ['require double quotes and parens', 'require("net/http")', [feature('net/http')]],
    ['several', "require 'a'; require 'b'", [feature('a'), feature('b')]],
    ['require_relative', "require_relative 'lib/helper'", [relative('lib/helper')]],
    ['load', "load 'tasks.rb'", [{ kind: 'load', path: 'tasks.rb' }]],
    ['expand_path from __FILE__', "require File.expand_path('../lib/x', __FILE__)", [relative('lib/x')]],
    ['expand_path from __dir__', "require File.expand_path('lib/x', __dir__)", [relative('lib/x')]],
    [
      'expand_path from File.dirname',
      "require File.expand_path('x', File.dirname(__FILE__))",
      [relative('x')],
    ],
    ['File.join', "require File.join(File.dirname(__FILE__), 'lib', 'y')", [relative('lib/y')]],
    ['File.join __dir__', "require File.join(__dir__, 'z')", [relative('z')]],
    ['interpolated', 'require "#{dir}/x"', []],
    ['variable', 'require name', []],
    ['method on an object', "Bundler.require 'x'; obj.require('y')", []],
    ['comment', "# require 'nope'\nrequire 'yes' # require 'nope2'", [feature('yes')]],
    ['string', 'puts "require \'nope\'"', []],
    ['=begin block', "=begin\nrequire 'nope'\n=end\nrequire 'yes'", [feature('yes')]],
    ['__END__', "require 'a'\n__END__\nrequire 'nope'", [feature('a')]],
    ['heredoc', "x = <<~EOS\n  require 'nope'\nEOS\nrequire 'yes'", [feature('yes')]],
    ['autoload is lazy', "autoload :Foo, 'foo'", []],
  ];
  for (const [name, source, expected] of cases) {
    it(name, () => assert.deepEqual(extractRubyImports(source), expected));
  }
});

describe('extractRubyImports on hostile input', () => {
  it('stays linear on a line of escaped, never closed quotes', () => {
    const started = Date.now();
    assert.deepEqual(extractRubyImports(`${'"\\'.repeat(100_000)}\nrequire 'a'`), [feature('a')]);
    // Quadratic scanning takes minutes on this input; linear takes milliseconds.
    assert.ok(Date.now() - started < 2000);
  });
});
