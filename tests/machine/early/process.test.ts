import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteArgument } from '../../../src/machine/early/process.js';

test('command-line quoting follows the CommandLineToArgvW rules', () => {
  assert.equal(quoteArgument('plain'), 'plain');
  assert.equal(quoteArgument(''), '""');
  assert.equal(quoteArgument('two words'), '"two words"');
  assert.equal(quoteArgument('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteArgument('C:\\dir with space\\'), '"C:\\dir with space\\\\"');
  assert.equal(quoteArgument('a\\\\"b'), '"a\\\\\\\\\\"b"');
});
