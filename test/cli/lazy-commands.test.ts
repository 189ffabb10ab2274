import { describe, expect, it } from 'vitest';

// main.ts loads one command's module by this name; help, hints and every command through the
// real binary are covered by exit-codes.test.ts.
describe('command name in argv', () => {
  it('skips global options and their values', async () => {
    const { commandName } = await import('../../src/cli/command-name.js');
    const argv = (...a: string[]): string[] => ['node', 'nfmon', ...a];
    expect(commandName(argv('sessions', '--json'))).toBe('sessions');
    expect(commandName(argv('--config', 'sessions.yaml', '--db', 'x.db', 'alerts'))).toBe('alerts');
    expect(commandName(argv('--config=x.yaml', 'devices'))).toBe('devices');
    expect(commandName(argv('--help'))).toBeUndefined();
    expect(commandName(argv())).toBeUndefined();
  });
});
