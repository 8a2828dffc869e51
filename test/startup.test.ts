/** Start-up refuses bad settings with a message naming the setting, and exits 2 (no restart loop). */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, tempDataDir } from './helpers/server-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDataDir('startup');
afterAll(() => removeDir(dir));

function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: join(dir, 'data'), HOST: '127.0.0.1', ADMIN_PASSWORD: 'admin-password-123', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('start-up checks', () => {
  it('stops on a scenario file that is not a valid scenario, naming the variable and the problems', async () => {
    const bad = join(dir, 'bad-scenario.json');
    writeFileSync(bad, JSON.stringify({ name: 'broken', queues: [] }));
    const r = await start({ PORT: String(await freePort()), SIMULATOR: 'on', SIMULATOR_SCENARIO: bad });
    expect(r.code).toBe(2);
    expect(r.output).toContain(`SIMULATOR_SCENARIO: ${bad} is not a valid scenario`);
    expect(r.output).toMatch(/agents: is required/);
  });

  it.each([
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of'],
    [{ HOST: 'not a host' }, 'HOST: must be an IP address or a host name'],
    [{ SIMULATOR_SCENARIO: 'no/such/file.json' }, 'SIMULATOR_SCENARIO: no/such/file.json is not a valid scenario'],
  ])('stops on %j', async (env, message) => {
    const r = await start({ PORT: String(await freePort()), ...env });
    expect(r.code).toBe(2);
    expect(r.output).toContain(message);
  });
});
