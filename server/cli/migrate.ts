/** `npm run migrate`: applies pending ClickHouse migrations to the configured store and exits. */
import { migrate } from '../../platform/store/migrate.ts';
import { openStore } from '../../platform/store/open.ts';
import { loadConfig } from '../config.ts';

const cfg = loadConfig();
const store = await openStore(cfg);
try {
  const applied = await migrate(store);
  console.log(applied.length ? `applied migrations ${applied.join(', ')}` : 'store is up to date');
} finally {
  await store.close();
}
