import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPythonImports, type PythonImport } from '../../../agent/scripts/python-imports.js';

const abs = (module: string, names?: string[]): PythonImport =>
  names ? { module, level: 0, names } : { module, level: 0 };

describe('extractPythonImports', () => {
  const cases: [string, string, PythonImport[]][] = [
    ['plain', 'import os', [abs('os')]],
    ['several with aliases', 'import a.b as c, d', [abs('a.b'), abs('d')]],
    ['from', 'from a.b import c, d as e', [abs('a.b', ['c', 'd'])]],
    ['parenthesized over lines', 'from x import (\n  a,\n  b,  # note\n)\n', [abs('x', ['a', 'b'])]],
    ['backslash continuation', 'from x import a, \\\n  b', [abs('x', ['a', 'b'])]],
    ['star', 'from x import *', [abs('x', [])]],
    ['relative dot', 'from . import sibling', [{ module: '', level: 1, names: ['sibling'] }]],
    ['relative module', 'from .mod import y', [{ module: 'mod', level: 1, names: ['y'] }]],
    ['relative two levels', 'from ..pkg.sub import z', [{ module: 'pkg.sub', level: 2, names: ['z'] }]],
    ['relative without space', 'from .import x', [{ module: '', level: 1, names: ['x'] }]],
    ['semicolons', 'import os; import sys', [abs('os'), abs('sys')]],
    [
      'indented in try',
      'try:\n    import simplejson as json\nexcept ImportError:\n    import json',
      [abs('simplejson'), abs('json')],
    ],
    ['inline compound body', 'if x: import ssl', [abs('ssl')]],
    ['except inline', 'except ImportError: from compat import x', [abs('compat', ['x'])]],
    ['future', 'from __future__ import annotations', [abs('__future__', ['annotations'])]],
    ['comment', '# import nope\nimport yes  # import nope2', [abs('yes')]],
    ['docstring', '"""\nimport nope\n"""\nimport yes', [abs('yes')]],
    ['single-quoted docstring', "'''\nfrom nope import x\n'''", []],
    ['string', 's = "import nope"; t = \'from nope import x\'', []],
    ['escaped quote in string', 's = "a \\" import nope"\nimport yes', [abs('yes')]],
    ['import_module', "importlib.import_module('plugins.extra')", [abs('plugins.extra')]],
    ['__import__', "mod = __import__('pkg.mod')", [abs('pkg.mod')]],
    ['import_module relative', "import_module('.local', __package__)", [{ module: 'local', level: 1 }]],
    ['import_module with a variable', 'import_module(name)', []],
    ['not an import', 'x = important\nimported = 1\nyield from gen()', []],
    ['unicode identifier', 'import modulé', [abs('modulé')]],
    ['CRLF', 'import a\r\nimport b\r\n', [abs('a'), abs('b')]],
    ['unterminated string stays on its line', 's = "oops\nimport yes', [abs('yes')]],
    [
      'function body is lazy',
      'def f():\n    import x\nimport y',
      [{ module: 'x', level: 0, lazy: true }, abs('y')],
    ],
    [
      'async def and methods are lazy',
      'class A:\n    import c\n    async def m(self):\n        import d',
      [abs('c'), { module: 'd', level: 0, lazy: true }],
    ],
    ['dedent ends the function', 'def f():\n    pass\n\n# comment\nimport y', [abs('y')]],
    ['function on one line', 'def f(): import x', [{ module: 'x', level: 0, lazy: true }]],
    [
      '__main__ block',
      "if __name__ == '__main__':\n    import z\nimport y",
      [{ module: 'z', level: 0, mainOnly: true }, abs('y')],
    ],
    ['TYPE_CHECKING never runs', 'if TYPE_CHECKING:\n    import t\nelse:\n    import u', [abs('u')]],
    ['typing.TYPE_CHECKING inline', 'if typing.TYPE_CHECKING: import t', []],
    [
      'Windows-only branch',
      "if sys.platform == 'win32':\n    import msvcrt\nelse:\n    import termios",
      [abs('termios')],
    ],
    ['os.name nt', "if os.name == 'nt':\n    import nt\nimport posix_only", [abs('posix_only')]],
    [
      'Linux branch is kept',
      "if sys.platform.startswith('linux'):\n    import linux_only",
      [abs('linux_only')],
    ],
    [
      'nested lazy and main',
      "if __name__ == '__main__':\n    def main():\n        import q",
      [{ module: 'q', level: 0, lazy: true, mainOnly: true }],
    ],
  ];
  for (const [name, source, expected] of cases) {
    it(name, () => assert.deepEqual(extractPythonImports(source), expected));
  }
});

describe('extractPythonImports on hostile input', () => {
  it('stays linear on a line of escaped, never closed quotes', () => {
    const started = Date.now();
    assert.deepEqual(extractPythonImports(`${'"\\'.repeat(100_000)}\nimport a`), [abs('a')]);
    // Quadratic scanning takes minutes on this input; linear takes milliseconds.
    assert.ok(Date.now() - started < 2000);
  });
});
