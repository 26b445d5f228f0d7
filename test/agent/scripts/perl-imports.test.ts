import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPerlImports, type PerlImport } from '../../../agent/scripts/perl-imports.js';

const mod = (name: string): PerlImport => ({ kind: 'module', name });

describe('extractPerlImports', () => {
  const cases: [string, string, PerlImport[]][] = [
    ['use', 'use Foo::Bar;', [mod('Foo::Bar')]],
    ['use with imports', 'use POSIX qw(floor ceil);', [mod('POSIX')]],
    ['use with version', 'use List::Util 1.45 qw(uniq);', [mod('List::Util')]],
    [
      'pragmas are modules, version numbers are not',
      'use strict; use warnings;\nuse v5.36;\nuse 5.010_001;',
      [mod('strict'), mod('warnings')],
    ],
    ['no', 'no warnings "once";', [mod('warnings')]],
    ['require bareword', 'require Foo::Bar;', [mod('Foo::Bar')]],
    ['require version', 'require 5.006; require v5.10;', []],
    ['require in an expression', 'my $ok = eval { require JSON::XS; 1 };', [mod('JSON::XS')]],
    ['require a file', 'require "config/site.pl";', [{ kind: 'file', path: 'config/site.pl' }]],
    ['require an interpolated file', 'require "$dir/site.pl";', []],
    ['require a variable', 'require $class;', []],
    ['method named require', '$loader->require("X");', []],
    ['do file', "do 'settings.pl';", [{ kind: 'file', path: 'settings.pl' }]],
    ['do block', 'do { 1 };', []],
    [
      'use lib',
      'use lib \'/opt/app/lib\', "lib";',
      [mod('lib'), { kind: 'lib', dirs: ['/opt/app/lib', 'lib'] }],
    ],
    ['use lib qw', 'use lib qw(/a /b);', [mod('lib'), { kind: 'lib', dirs: ['/a', '/b'] }]],
    [
      'use lib FindBin',
      'use lib "$FindBin::Bin/../lib";',
      [mod('lib'), { kind: 'lib', dirs: ['$FindBin::Bin/../lib'] }],
    ],
    ['use lib other variable', 'use lib "$ENV{HOME}/lib";', [mod('lib')]],
    ['use parent', "use parent 'Base::Class';", [mod('parent'), mod('Base::Class')]],
    ['use parent -norequire', "use parent -norequire, 'Local::Class';", [mod('parent')]],
    ['use base qw', 'use base qw(One Two::Three);', [mod('base'), mod('One'), mod('Two::Three')]],
    ['use if', "use if $] < 5.008, 'utf8';", [mod('if'), mod('utf8')]],
    ['several on a line', 'use A; use B;', [mod('A'), mod('B')]],
    ['inside a block', 'BEGIN { use Carp; }', [mod('Carp')]],
    ['comment', '# use Nope;\nuse Yes; # use Nope2', [mod('Yes')]],
    ['$# is no comment', 'my $last = $#list; use Yes;', [mod('Yes')]],
    ['string', 'print "use Nope;";', []],
    ['pod', 'use A;\n=head1 NAME\n\nuse Nope;\n\n=cut\nuse B;', [mod('A'), mod('B')]],
    ['__END__', 'use A;\n__END__\nuse Nope;', [mod('A')]],
    ['__DATA__', 'use A;\n__DATA__\nuse Nope;', [mod('A')]],
    ['heredoc', 'print <<"EOT";\nuse Nope;\nEOT\nuse A;', [mod('A')]],
    ['indented heredoc', 'print <<~EOT;\n  use Nope;\n  EOT\nuse A;', [mod('A')]],
    ['shift is no heredoc', 'my $x = 1<<SHIFT;\nuse A;', [mod('A')]],
    ['shebang -I', '#!/usr/bin/perl -w -I/opt/lib\nuse A;', [{ kind: 'lib', dirs: ['/opt/lib'] }, mod('A')]],
    ['odd quote in a regex stays on its line', "s/'//g;\nuse A;", [mod('A')]],
  ];
  for (const [name, source, expected] of cases) {
    it(name, () => assert.deepEqual(extractPerlImports(source), expected));
  }
});

describe('extractPerlImports on hostile input', () => {
  it('stays linear on a line of escaped, never closed quotes', () => {
    const started = Date.now();
    assert.deepEqual(extractPerlImports(`${'"\\'.repeat(100_000)}\nuse A;`), [mod('A')]);
    // Quadratic scanning takes minutes on this input; linear takes milliseconds.
    assert.ok(Date.now() - started < 2000);
  });
});
