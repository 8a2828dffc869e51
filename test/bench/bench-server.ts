/**
 * The server as the benches start it: `node <npm start's flags> --import tsx server/main.ts`
 * on a free port with its own data dir, output kept (last 200 lines) for failure messages,
 * resolved once /health answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitHealthy } from '../helpers/server-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchServer {
  child: ChildProcess;
  pid: number;
  base: string;
  output: string[];
}

export interface BenchServerOptions {
  dataDir: string;
  key: string;
  adminPassword: string;
  /** extra environment (FLUSH_MS …) */
  env?: Record<string, string>;
  /** write a CPU profile (--cpu-prof) into this dir */
  cpuProfileDir?: string | undefined;
}

export async function startBenchServer(o: BenchServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: o.dataDir,
    INGEST_KEY: o.key,
    ADMIN_PASSWORD: o.adminPassword,
    SIMULATOR: 'off',
    ...o.env,
  };
  // The node flags of `npm start` (package.json); BENCH_SERVER_NODE_FLAGS overrides them.
  const serverFlags = process.env.BENCH_SERVER_NODE_FLAGS ?? '--max-semi-space-size=64';
  const nodeArgs = [...serverFlags.split(' ').filter(Boolean), '--import', 'tsx'];
  if (o.cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`);
  const child = spawn(process.execPath, [...nodeArgs, 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...String(chunk).split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, child, 120_000, () => output.join('\n'));
  return { child, pid: child.pid!, base, output };
}

/** Resolves with the exit code once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
