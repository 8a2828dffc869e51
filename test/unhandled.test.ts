/**
 * Suite-level guard: an unhandled rejection must fail CI even when every assertion passes.
 * The server-level guard (a hostile request must not produce one) is in test/ingest-edge.test.ts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import project from '../vitest.config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('unhandled rejections in tests', () => {
  it('are not ignored by the project configuration', () => {
    expect(project.test).toBeDefined();
    expect(project.test).not.toHaveProperty('dangerouslyIgnoreUnhandledErrors', true);
  });

  it('fail a run whose tests all pass (vitest in a child process, with the project settings)', async () => {
    // The child must not think it is a worker of this run.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS$)/.test(k)));
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/fixtures/unhandled/vitest.config.ts'], {
      cwd: ROOT,
      env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(output).toMatch(/1 passed/);
    expect(output).toMatch(/Unhandled Rejection/i);
    expect(output).toContain('callboard fixture: an unhandled rejection');
    expect(code).not.toBe(0);
  });
});
