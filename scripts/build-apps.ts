/**
 * `npm run build:apps [-- --force]`: builds the front-end apps when their build is missing or
 * older than the sources (always with --force). `npm start` does the same on its own.
 */
import { fileURLToPath } from 'node:url';
import { ensureAppsBuilt } from '../server/static-apps.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const force = process.argv.includes('--force');
const log = (level: string, msg: string, fields?: Record<string, unknown>) => console.log(JSON.stringify({ level, msg, ...fields }));

ensureAppsBuilt(log, { root, force })
  .then((built) => {
    console.log(built.length ? `built: ${built.join(', ')}` : 'apps are up to date');
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
