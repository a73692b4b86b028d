import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CloseCode, closeReasonText } from '../src/close-codes';
import { ErrorCode } from '../src/errors';

// House rule: every error and close code is listed in docs/protocol.md. Add a row there with each new code.
const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

describe('docs/protocol.md', () => {
  it.each(Object.entries(CloseCode))('lists close code %s', (name, code) => {
    expect(doc, `add "| ${code} | \`${name}\` | ${closeReasonText(code)} | ... |" to section 9`).toContain(
      `| ${code} | \`${name}\` | ${closeReasonText(code)} |`,
    );
  });

  it.each(Object.entries(ErrorCode))('lists error code %s', (name, value) => {
    expect(doc, `add "| \`${value}\` | \`ErrorCode.${name}\` | ... |" to section 10`).toContain(`| \`${value}\` | \`ErrorCode.${name}\` |`);
  });
});
