import { describe, expect, it } from 'vitest';
import { HELP, parseCreateCli } from './cli-options';
import { projectNameFrom } from './project-name';

describe('parseCreateCli', () => {
  it('reads the folder, the template and --overwrite, past the `--` npm create passes on', () => {
    expect(parseCreateCli(['my-app', '--', '--template', 'ping-pong', '--overwrite'])).toEqual({ kind: 'create', folder: 'my-app', template: 'ping-pong', overwrite: true });
    expect(parseCreateCli(['-t', 'minimal'])).toEqual({ kind: 'create', folder: undefined, template: 'minimal', overwrite: false });
  });

  it('answers --help (listing every template) and --version', () => {
    expect(parseCreateCli(['--help'])).toEqual({ kind: 'help' });
    expect(parseCreateCli(['-v'])).toEqual({ kind: 'version' });
    for (const name of ['chat', 'ping-pong', 'minimal']) expect(HELP).toContain(`  ${name}`);
  });

  it('refuses unknown flags and two folders with INVALID_OPTIONS', () => {
    expect(() => parseCreateCli(['--bogus'])).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining('see --help') }));
    expect(() => parseCreateCli(['a', 'b'])).toThrow(/one project folder/);
  });
});

describe('projectNameFrom', () => {
  it.each([
    ['my-app', 'my-app'],
    ['My Chat App', 'my-chat-app'],
    ['_private', 'private'],
    ['.hidden.', 'hidden.'],
    ['日本', 'ic-ws-app'],
  ])('%s -> %s', (folder, name) => {
    expect(projectNameFrom(folder)).toBe(name);
  });
});
