/**
 * DirectoryService and multi-role users on real chDB: versioned rows (latest wins, every
 * version kept), first-seen creation in batches, change notifications, boards, help
 * acknowledgements, display tokens, and the live engine reading the directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../platform/log.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import { loadMigrations, migrate } from '../platform/store/migrate.ts';
import { TABLES } from '../schemas/tables.ts';
import { AuthService, sha256 } from '../server/auth/auth-service.ts';
import { EventFactory } from '../server/contact-metrics/test-events.ts';
import { DEFAULT_BOARD_ID } from '../server/directory/board-schema.ts';
import { DirectoryInputError, DirectoryService, FIRST_SEEN_BY } from '../server/directory/directory-service.ts';
import type { DirectoryChange } from '../server/directory/types.ts';
import { LiveEngine } from '../server/live/engine.ts';
import { ChdbStore as Store } from '../platform/store/chdb-store.ts';
import { removeDir, tempDataDir } from './helpers/server-process.ts';

const log: Logger = () => undefined;
const dir = tempDataDir('directory');
let store: ChdbStore;
let auth: AuthService;

beforeAll(async () => {
  store = new Store(dir);
  // Up to 0004 first: a user written before migration 0005 must read as roles [role].
  await migrate(
    store,
    loadMigrations().filter((m) => m.version <= 4),
  );
  await store.insertRows(TABLES.users, [
    { username: 'old-sup', role: 'supervisor', password_hash: 'x', disabled: 0, version: 1, updated_at: Date.now(), updated_by: 'test' },
  ]);
  await migrate(store);
  auth = new AuthService(store, log);
  await auth.bootstrap({});
  // not a first run (a user exists), so no bootstrap admin: make one
  await auth.createUser({ username: 'admin', password: 'admin-password-1', roles: ['admin'] }, 'test');
});
afterAll(async () => {
  await store.close();
  removeDir(dir);
});

function service(opts: Partial<ConstructorParameters<typeof DirectoryService>[1]> = {}): DirectoryService {
  return new DirectoryService(store, {
    log,
    audit: (a, b, c, d) => auth.audit(a, b, c, d),
    defaultTimeZone: 'Europe/Berlin',
    displayTokens: auth.displayTokens,
    ...opts,
  });
}

async function versions(table: string, id: string): Promise<number> {
  const [row] = await store.query<{ n: string | number }>(`SELECT count() AS n FROM ${table} WHERE id = {id:String}`, { id });
  return Number(row?.n);
}

async function audits(action: string): Promise<{ actor: string; target: string; detail: string }[]> {
  return store.query(`SELECT actor, target, detail FROM ${TABLES.audit} WHERE action = {a:String} ORDER BY ts`, { a: action });
}

describe('multi-role users', () => {
  it('reads a user written before migration 0005 as [role]', async () => {
    const users = await auth.listUsers();
    expect(users.find((u) => u.username === 'old-sup')).toMatchObject({ role: 'supervisor', roles: ['supervisor'] });
  });

  it('gives a user the union of the roles’ scopes; role = the first', async () => {
    await auth.createUser({ username: 'lead', password: 'lead-password', roles: ['supervisor', 'qa'] }, 'admin');
    const session = await auth.login('lead', 'lead-password');
    expect(session?.principal).toMatchObject({ kind: 'user', role: 'supervisor', roles: ['supervisor', 'qa'] });
    expect([...session!.principal.scopes].sort()).toEqual(['directory', 'live', 'qa', 'qa_read', 'recordings', 'reports']);
    await auth.updateUser('lead', { roles: ['qa', 'manager'] }, 'admin');
    const again = await auth.authenticate({ authorization: '', cookie: `cb_session=${session!.token}` });
    expect(again).toMatchObject({ role: 'qa', roles: ['qa', 'manager'] });
    expect([...again!.scopes].sort()).toEqual(['live', 'qa', 'qa_read', 'recordings', 'reports']);
  });

  it('keeps the last admin an admin when roles change', async () => {
    await expect(auth.updateUser('admin', { roles: ['supervisor', 'qa'] }, 'admin')).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/^roles: admin is the last enabled admin/),
    });
    await auth.updateUser('admin', { roles: ['qa', 'admin'] }, 'admin'); // still an admin
    await expect(auth.updateUser('admin', { roles: [] }, 'admin')).rejects.toMatchObject({ message: 'roles: must hold at least one role' });
  });

  it('changes one’s own password with the current one; a wrong one counts as a failed sign-in', async () => {
    await auth.createUser({ username: 'pat', password: 'pat-password', roles: ['agent'] }, 'admin');
    const a = await auth.login('pat', 'pat-password');
    const b = await auth.login('pat', 'pat-password');
    await expect(auth.changeOwnPassword('pat', 'wrong-password', 'new-password-1', { keepSessionToken: a!.token })).rejects.toMatchObject({
      status: 403,
      message: 'current: wrong password',
    });
    await auth.changeOwnPassword('pat', 'pat-password', 'new-password-1', { keepSessionToken: a!.token });
    expect(await auth.authenticate({ authorization: '', cookie: `cb_session=${a!.token}` })).toMatchObject({ name: 'pat' });
    expect(await auth.authenticate({ authorization: '', cookie: `cb_session=${b!.token}` })).toBeNull();
    expect(await auth.login('pat', 'new-password-1')).not.toBeNull();
    for (let i = 0; i < 5; i++) await auth.changeOwnPassword('pat', `wrong-${i}-password`, 'new-password-2').catch(() => undefined);
    await expect(auth.changeOwnPassword('pat', 'new-password-1', 'new-password-2')).rejects.toMatchObject({ status: 429 });
  });
});

describe('DirectoryService', () => {
  let d: DirectoryService;
  const changes: DirectoryChange[] = [];
  beforeAll(async () => {
    d = service({ firstSeenFlushMs: 60_000, firstSeenMaxBatch: 10_000 });
    d.onChange((c) => changes.push(c));
    await d.start();
  });

  it('creates the default board "Center" on first run only', async () => {
    expect(d.board(DEFAULT_BOARD_ID)).toMatchObject({ id: 'center', name: 'Center', rotate_s: 30, ticker: '', filter: { sites: [], queues: [], teams: [] } });
    // UX.md: every page is the KPI strip plus one body, so a wall display can read it.
    const pages = d.board('center')!.pages;
    expect(pages.map((p) => p.title)).toEqual(['Queues', 'Agents', 'Trends']);
    for (const p of pages) expect(p.widgets.filter((w) => w.kind === 'tile').map((w) => w.metric)).toEqual(['waiting', 'longest_wait_s', 'service_level', 'asa_s', 'aht_s', 'abandon_rate']);
    const kinds = pages.flatMap((p) => p.widgets.map((w) => w.kind));
    expect(new Set(kinds)).toEqual(new Set(['tile', 'queue_table', 'agent_grid', 'help_alerts', 'chart']));
    await d.deleteBoard('center', 'admin');
    const again = service();
    await again.start();
    expect(again.listBoards()).toEqual([]); // deleted stays deleted: not a first run
  });

  it('versions every change: the latest wins, every version is kept (also after merges)', async () => {
    await d.putSite('berlin', { name: 'Berlin', time_zone: 'Europe/Berlin' }, 'admin');
    await d.putSite('berlin', { name: 'Berlin HQ' }, 'sup');
    expect(d.getSite('berlin')).toMatchObject({ name: 'Berlin HQ', time_zone: 'Europe/Berlin', updated_by: 'sup' });
    await store.command(`OPTIMIZE TABLE ${TABLES.sites} FINAL`);
    expect(await versions(TABLES.sites, 'berlin')).toBe(2);
    const fresh = service();
    await fresh.start();
    expect(fresh.getSite('berlin')).toMatchObject({ name: 'Berlin HQ', time_zone: 'Europe/Berlin' });
    expect(fresh.site('berlin')).toEqual({ name: 'Berlin HQ', timeZone: 'Europe/Berlin' });
    expect((await audits('site_saved')).map((a) => a.detail)).toEqual(['name=Berlin; time_zone=Europe/Berlin', 'name=Berlin HQ; time_zone=Europe/Berlin']);
  });

  it('refuses bad values, naming the field', async () => {
    await expect(d.putSite('mars', { time_zone: 'Mars/Base' }, 'admin')).rejects.toThrow('time_zone: not an IANA time zone (got "Mars/Base")');
    await expect(d.putQueue('q', { site: 'nowhere' }, 'admin')).rejects.toThrow('site: no site "nowhere"');
    await expect(d.putQueue('q', { sl_formula: 'magic' }, 'admin')).rejects.toThrow(/^sl_formula: must be one of default, answered_only/);
    await expect(d.putQueue('q', { targets: { service_level: 80 } }, 'admin')).rejects.toThrow('targets.service_level: must be a fraction from 0 to 1 (got 80)');
    await expect(d.putAgent('a', { team: 'ghosts' }, 'admin')).rejects.toThrow('team: no team "ghosts"');
    await expect(d.deleteTeam('ghosts', 'admin')).rejects.toMatchObject({ status: 404 });
    await expect(d.putBoard('nope', {}, 'admin')).rejects.toBeInstanceOf(DirectoryInputError);
    await expect(d.createBoard({ name: 'x', pages: [{ title: 't', widgets: [{ kind: 'tile', id: 'w', x: 0, y: 0, w: 4, h: 2, metric: 'mood', scope: {} }] }] }, 'sup')).rejects.toThrow(
      /^pages\[0\]\.widgets\[0\]\.metric: must be one of/,
    );
  });

  it('saves queues, teams and agents, gives the engine their settings, and tells listeners', async () => {
    changes.length = 0;
    await d.putQueue(
      'billing',
      { name: 'Billing', site: 'berlin', sl_threshold_s: 30, sl_formula: 'answered_only', targets: { service_level: 0.8, asa_s: 20 } },
      'sup',
    );
    await d.putTeam('t1', { name: 'Team One', site: 'berlin' }, 'sup');
    await d.putAgent('a7', { name: 'Ada', team: 't1', site: 'berlin' }, 'sup');
    expect(d.queue('billing')).toEqual({
      name: 'Billing',
      site: 'berlin',
      settings: { slThresholdS: 30, shortAbandonS: 5, slFormula: 'answered_only', slFlowouts: 'exclude' },
    });
    expect(d.getQueue('billing')!.targets).toEqual({ service_level: 0.8, asa_s: 20, abandon_rate: null, longest_wait_s: null });
    expect(d.agent('a7')).toEqual({ name: 'Ada', team: 't1', site: 'berlin' });
    await d.putAgent('a7', { team: null }, 'sup');
    expect(d.agent('a7')).toEqual({ name: 'Ada', site: 'berlin' });
    await d.deleteTeam('t1', 'sup');
    expect(d.listTeams()).toEqual([]);
    expect(await versions(TABLES.teams, 't1')).toBe(2);
    expect(changes).toEqual([
      { kind: 'queue', id: 'billing' },
      { kind: 'team', id: 't1' },
      { kind: 'agent', id: 'a7' },
      { kind: 'agent', id: 'a7' },
      { kind: 'team', id: 't1' },
    ]);
    const fresh = service();
    await fresh.start();
    expect(fresh.getQueue('billing')).toMatchObject({ name: 'Billing', sl_threshold_s: 30, targets: { service_level: 0.8 } });
    expect(fresh.listTeams()).toEqual([]);
  });

  it('creates ids first seen in events with defaults, in one insert per table per batch', async () => {
    changes.length = 0;
    const insertsBefore = d.firstSeenInserts;
    for (let i = 0; i < 300; i++) d.firstSeen('agent', `ag-${i}`, 'paris');
    for (let i = 0; i < 50; i++) d.firstSeen('queue', `q-${i}`, i % 2 ? 'paris' : '');
    d.firstSeen('agent', 'a7', 'paris'); // known: left alone
    d.firstSeen('queue', 'billing', ''); // known: left alone
    // at once in memory, before any write
    expect(d.site('paris')).toEqual({ name: 'paris', timeZone: 'Europe/Berlin' });
    expect(d.agent('ag-5')).toEqual({ name: 'ag-5', site: 'paris' });
    expect(d.queue('q-0')).toMatchObject({ name: 'q-0', settings: { slThresholdS: 20 } });
    expect(d.queue('q-0')!.site).toBeUndefined(); // not known: the engine uses the events' site
    expect(await versions(TABLES.agents, 'ag-5')).toBe(0);
    // an edit before the batch is written wins
    await d.putAgent('ag-9', { name: 'Nine' }, 'sup');
    await d.flush();
    expect(d.firstSeenInserts - insertsBefore).toBe(3); // sites, queues, agents
    const [n] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${TABLES.agents} WHERE updated_by = {b:String}`, { b: FIRST_SEEN_BY });
    expect(Number(n!.n)).toBe(299);
    expect(d.getAgent('ag-9')).toMatchObject({ name: 'Nine', updated_by: 'sup' });
    expect(changes.filter((c) => c.kind === 'agent')).toHaveLength(300); // the edit, then 299 created
    expect(changes.filter((c) => c.kind === 'queue')).toHaveLength(50);
    expect(changes.filter((c) => c.kind === 'site')).toEqual([{ kind: 'site', id: 'paris' }]);
    expect(await audits('directory_first_seen')).toHaveLength(1);
    await d.flush(); // nothing waiting: no insert
    expect(d.firstSeenInserts - insertsBefore).toBe(3);
    const fresh = service();
    await fresh.start();
    expect(fresh.getSite('paris')).toMatchObject({ time_zone: 'Europe/Berlin', updated_by: FIRST_SEEN_BY });
    expect(fresh.listAgents().filter((a) => a.id.startsWith('ag-'))).toHaveLength(300);
  });

  it('writes a batch at once when it reaches the size limit, and on close', async () => {
    const small = service({ firstSeenFlushMs: 60_000, firstSeenMaxBatch: 10 });
    await small.start();
    for (let i = 0; i < 10; i++) small.firstSeen('queue', `batch-${i}`, '');
    await small.flush(); // waits for the running batch
    expect(await versions(TABLES.queues, 'batch-9')).toBe(1);
    small.firstSeen('queue', 'on-close', '');
    await small.close();
    expect(await versions(TABLES.queues, 'on-close')).toBe(1);
  });

  it('is the live engine’s directory: names, teams, zones and first-seen ids', async () => {
    await d.putSite('ny', { name: 'New York', time_zone: 'America/New_York' }, 'admin');
    await d.putTeam('night', { name: 'Night', site: 'ny' }, 'admin');
    await d.putAgent('eve', { name: 'Eve', team: 'night', site: 'ny' }, 'admin');
    const engine = new LiveEngine({ directory: d, defaultTimeZone: d.defaultTimeZone });
    const f = new EventFactory('eng');
    const t = Date.now() - 60_000;
    engine.apply([f.queued('c1', 'support', t - 1000, 'ny'), f.state('eve', 'available', t, { queues: ['support'] }), f.state('zed', 'available', t, { site: 'ny' })]);
    const snap = engine.snapshot(Date.now());
    expect(snap.agents.find((a) => a.agent === 'eve')).toMatchObject({ name: 'Eve', team: 'night', site: 'ny', queues: ['support'] });
    expect(snap.sites.find((s) => s.site === 'ny')).toMatchObject({ name: 'New York', time_zone: 'America/New_York' });
    await d.flush();
    expect(d.getQueue('support')).toMatchObject({ name: 'support', site: 'ny', updated_by: FIRST_SEEN_BY });
    expect(d.getAgent('zed')).toMatchObject({ site: 'ny', team: null });
    expect(d.timeZones().sort()).toEqual(['America/New_York', 'Europe/Berlin']);
  });

  it('stores boards as versions; a delete is a version marked deleted', async () => {
    changes.length = 0;
    const b = await d.createBoard({ name: 'Sales', pages: [{ title: 'Main', widgets: [{ kind: 'ticker', id: 't', x: 0, y: 0, w: 24, h: 1 }] }] }, 'sup');
    expect(b).toMatchObject({ name: 'Sales', ticker: '', rotate_s: 30, updated_by: 'sup' });
    const v2 = await d.putBoard(b.id, { name: 'Sales', ticker: 'Lunch at 12', pages: b.pages }, 'sup');
    expect(v2.version).toBeGreaterThan(b.version);
    expect(d.board(b.id)?.ticker).toBe('Lunch at 12');
    await d.deleteBoard(b.id, 'sup');
    expect(d.board(b.id)).toBeUndefined();
    expect(await versions(TABLES.boards, b.id)).toBe(3);
    expect(changes).toEqual([
      { kind: 'board', id: b.id },
      { kind: 'board', id: b.id },
      { kind: 'board', id: b.id },
    ]);
    expect((await audits('board_deleted')).map((a) => a.target)).toContain(b.id);
  });

  it('acknowledges a help request once, keeps it over a restart, and tells listeners', async () => {
    changes.length = 0;
    const first = await d.ackHelp('help-1', 'sup');
    expect(first).toMatchObject({ id: 'help-1', acked_by: 'sup', already: false });
    expect(await d.ackHelp('help-1', 'other')).toMatchObject({ acked_by: 'sup', already: true });
    expect(changes).toEqual([{ kind: 'help', id: 'help-1' }]);
    const fresh = service();
    await fresh.start();
    expect(fresh.helpAckedBy('help-1')).toBe('sup');
    expect(await audits('help_acked')).toHaveLength(1);
  });

  it('applies changes made by another process when it reads the tables again', async () => {
    const other = service({ refreshMs: 0 });
    await other.start();
    const seen: DirectoryChange[] = [];
    other.onChange((c) => seen.push(c));
    await d.putSite('ny', { name: 'NYC' }, 'admin');
    await d.putTeam('gone', { name: 'Gone' }, 'admin');
    await other.refresh();
    await d.deleteTeam('gone', 'admin');
    await d.ackHelp('help-x', 'sup');
    await other.refresh();
    expect(other.site('ny')).toEqual({ name: 'NYC', timeZone: 'America/New_York' });
    expect(other.getTeam('gone')).toBeUndefined();
    expect(other.helpAckedBy('help-x')).toBe('sup');
    expect(seen).toEqual([
      { kind: 'site', id: 'ny' },
      { kind: 'team', id: 'gone' },
      { kind: 'team', id: 'gone' },
      { kind: 'help', id: 'help-x' },
    ]);
    await other.refresh(); // nothing new: nothing told
    expect(seen).toHaveLength(4);
    await other.close();
  });

  it('gives queues and agents first seen without a site the site of the first stored event naming one', async () => {
    const t = Date.now();
    d.firstSeen('queue', 'learn-q', ''); // e.g. first named by an agent's login
    d.firstSeen('agent', 'learn-a', '');
    d.firstSeen('queue', 'learn-edited', '');
    await d.flush();
    await d.putQueue('learn-edited', { name: 'Edited' }, 'sup');
    const row = (id: string, type: string, ts: number, site: string, fields: Record<string, string>) => ({
      id,
      type,
      ts,
      site,
      call: fields.call ?? '',
      agent: fields.agent ?? '',
      queue: fields.queue ?? '',
      payload: '{}',
      received: ts,
      source: 'test',
    });
    await store.insertRows(TABLES.events, [
      row('le-1', 'call.queued', t + 1000, 'leipzig', { call: 'lc1', queue: 'learn-q' }),
      row('le-2', 'call.queued', t + 2000, 'paris', { call: 'lc2', queue: 'learn-q' }),
      row('le-3', 'agent.state', t + 1500, 'paris', { agent: 'learn-a' }),
      row('le-4', 'call.queued', t + 1500, 'paris', { call: 'lc3', queue: 'learn-edited' }),
    ]);
    changes.length = 0;
    await d.refresh();
    expect(d.getQueue('learn-q')).toMatchObject({ site: 'leipzig', updated_by: FIRST_SEEN_BY });
    expect(d.queue('learn-q')?.site).toBe('leipzig');
    expect(d.getAgent('learn-a')).toMatchObject({ site: 'paris' });
    expect(d.getQueue('learn-edited')?.site).toBe(''); // edited by someone: left alone
    expect(d.getSite('leipzig')).toMatchObject({ time_zone: 'Europe/Berlin' });
    expect(changes).toEqual(expect.arrayContaining([{ kind: 'queue', id: 'learn-q' }, { kind: 'agent', id: 'learn-a' }]));
    await d.flush();
    const fresh = service();
    await fresh.start();
    expect(fresh.getQueue('learn-q')?.site).toBe('leipzig');
  });

  it('re-emits display-token changes; a revoked token stops at once', async () => {
    changes.length = 0;
    const { id, token } = await auth.displayTokens.create('lobby', ['center'], 'sup', sha256);
    expect(await auth.authenticate({ authorization: '', cookie: '', queryToken: token })).toMatchObject({
      kind: 'display',
      id,
      name: 'lobby',
      boards: ['center'],
    });
    expect(await auth.authenticate({ authorization: `Bearer ${token}`, cookie: '' })).toMatchObject({ kind: 'display' });
    expect([...(await auth.authenticate({ authorization: '', cookie: '', queryToken: token }))!.scopes]).toEqual(['live']);
    // not a display token, and an API key is not one either
    expect(await auth.authenticate({ authorization: '', cookie: '', queryToken: 'cbd_nope' })).toBeNull();
    const { key } = await auth.createKey('k', ['live'], 'admin');
    expect(await auth.authenticate({ authorization: '', cookie: '', queryToken: key })).toBeNull();
    expect(await auth.displayTokens.revoke(id, 'sup')).toBe(true);
    expect(await auth.authenticate({ authorization: '', cookie: '', queryToken: token })).toBeNull();
    expect(changes).toEqual([
      { kind: 'display_token', id },
      { kind: 'display_token', id },
    ]);
    const list = await auth.displayTokens.list();
    expect(list.find((t) => t.id === id)).toMatchObject({ name: 'lobby', boards: ['center'], revoked: true, created_by: 'sup' });
    expect(JSON.stringify(list)).not.toContain(token);
    // another process (a fresh index) knows the token is revoked
    const other = new AuthService(store, log);
    await other.bootstrap({});
    expect(await other.authenticate({ authorization: '', cookie: '', queryToken: token })).toBeNull();
  });
});
