/**
 * Settings and directory (DESIGN.md "Settings and directory"): sites, queues, teams, agents
 * and boards as versioned rows in ClickHouse, held in memory so the live engine reads them
 * synchronously (`DirectorySource`). Every change is a new version (the old ones stay), is
 * written to the audit log, and is told to `onChange` listeners (the push layer, the engine's
 * `directoryChanged`). Ids first seen in events are created with defaults, in batches.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import { nextVersion } from '../../platform/store/version.ts';
import { TABLES } from '../../schemas/tables.ts';
import { DEFAULT_QUEUE_SETTINGS, SL_FLOWOUTS, SL_FORMULAS, type SlFlowouts, type SlFormula } from '../contact-metrics/settings.ts';
import { isValidTimeZone } from '../contact-metrics/zoned-time.ts';
import type { AgentInfo, DirectoryKind, DirectorySource, QueueInfo, SiteInfo } from '../live/directory.ts';
import { defaultBoard, validateBoard, type Board, type BoardLayout } from './board-schema.ts';
import { listAgents } from './queries/list-agents.ts';
import { listBoards } from './queries/list-boards.ts';
import { listQueues } from './queries/list-queues.ts';
import { listSites } from './queries/list-sites.ts';
import { listTeams } from './queries/list-teams.ts';
import { recentHelpAcks } from './queries/recent-help-acks.ts';
import { sitesFromEvents } from './queries/sites-from-events.ts';
import type { Agent, DirectoryChange, HelpAck, Queue, QueueTargets, Site, Team } from './types.ts';

/** A change that cannot be made, with the field it is about (`field: reason`) and the HTTP status. */
export class DirectoryInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type AuditFn = (actor: string, action: string, target: string, detail: string) => Promise<void>;

export interface DirectoryOptions {
  log: Logger;
  audit: AuditFn;
  /** zone of sites first seen in events (DEFAULT_TIME_ZONE) */
  defaultTimeZone: string;
  /** first-seen rows wait at most this long before their batch is written; default 1000 */
  firstSeenFlushMs?: number;
  /** a batch of first-seen rows is written at once when it reaches this size; default 1000 */
  firstSeenMaxBatch?: number;
  /** help acknowledgements read at start: those of the last this many ms; default 2 days */
  helpAckLookbackMs?: number;
  /**
   * the tables are read again this often, so changes made by another server process on the
   * same ClickHouse apply here (and are told to listeners) within it; 0 = never; default 30 000
   */
  refreshMs?: number;
  /** a source of display-token changes to re-emit as `display_token` changes */
  displayTokens?: { onChange(listener: (id: string) => void): unknown };
  now?: () => number;
}

/** Who wrote rows created because an id was first seen in events. */
export const FIRST_SEEN_BY = 'first-seen';
// ids are what the PBX sends: any text but control characters, as the events' ids
// eslint-disable-next-line no-control-regex
const ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,64}$/u;
const emptyTargets = (): QueueTargets => ({ service_level: null, asa_s: null, abandon_rate: null, longest_wait_s: null });

export interface SiteInput {
  name?: string | undefined;
  time_zone?: string | undefined;
}
export interface QueueInput {
  name?: string | undefined;
  site?: string | undefined;
  sl_threshold_s?: number | undefined;
  short_abandon_s?: number | undefined;
  sl_formula?: string | undefined;
  sl_flowouts?: string | undefined;
  targets?: Partial<Record<keyof QueueTargets, number | null>> | undefined;
}
export interface TeamInput {
  name?: string | undefined;
  site?: string | undefined;
}
export interface AgentInput {
  name?: string | undefined;
  team?: string | null | undefined;
  site?: string | undefined;
}

interface Pending {
  sites: Map<string, Site>;
  queues: Map<string, Queue>;
  agents: Map<string, Agent>;
}

export class DirectoryService implements DirectorySource {
  private sites = new Map<string, Site>();
  private queues = new Map<string, Queue>();
  private teams = new Map<string, Team>();
  private agents = new Map<string, Agent>();
  private boards = new Map<string, Board>();
  private helpAcks = new Map<string, HelpAck>();
  /** what the engine reads, made once per change (reads must be cheap) */
  private siteInfo = new Map<string, SiteInfo>();
  private queueInfo = new Map<string, QueueInfo>();
  private agentInfo = new Map<string, AgentInfo>();
  private pending: Pending = { sites: new Map(), queues: new Map(), agents: new Map() };
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly listeners = new Set<(c: DirectoryChange) => void>();
  /** changes run one at a time, so versions land in memory in the order they were made */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private closed = false;
  private refreshTimer: NodeJS.Timeout | null = null;
  /** first-seen rows written since start (for tests and metrics) */
  firstSeenWritten = 0;
  /** inserts made for first-seen rows since start */
  firstSeenInserts = 0;

  constructor(
    private readonly store: Store,
    private readonly opts: DirectoryOptions,
  ) {
    if (!isValidTimeZone(opts.defaultTimeZone)) throw new Error(`defaultTimeZone: not an IANA time zone (got ${JSON.stringify(opts.defaultTimeZone)})`);
    this.now = opts.now ?? Date.now;
    this.flushMs = opts.firstSeenFlushMs ?? 1000;
    this.maxBatch = opts.firstSeenMaxBatch ?? 1000;
    opts.displayTokens?.onChange((id) => this.emit({ kind: 'display_token', id }));
  }

  get defaultTimeZone(): string {
    return this.opts.defaultTimeZone;
  }

  /** Reads every table into memory; on first run (no board ever saved) creates the default board. */
  async start(): Promise<void> {
    const { boards } = await this.load(false);
    if (boards === 0) {
      const d = defaultBoard();
      await this.writeBoard(d.id, d.name, d.layout, 'bootstrap', 'board_created');
    }
    const refreshMs = this.opts.refreshMs ?? 30_000;
    if (refreshMs > 0) {
      this.refreshTimer = setInterval(() => {
        this.refresh().catch((err: unknown) => this.opts.log('error', 'reading the directory again failed', { error: String(err) }));
      }, refreshMs);
      this.refreshTimer.unref();
    }
  }

  /**
   * Reads every table again and applies the versions newer than the ones in memory (changes
   * made by another server process), telling listeners of each.
   */
  refresh(): Promise<void> {
    return this.oneAtATime(async () => {
      await this.load(true);
      await this.learnSites();
    });
  }

  /**
   * Queues and agents first seen in an event that named no site (a queue first named by an
   * agent's login) take the site of the first stored event that names them with one. Only
   * rows still as first seen are changed; an edited row is never touched.
   */
  private async learnSites(): Promise<void> {
    for (const kind of ['queue', 'agent'] as const) {
      const current: Map<string, Queue | Agent> = kind === 'queue' ? this.queues : this.agents;
      const unsited = [...current.values()].filter((r) => r.site === '' && r.updated_by === FIRST_SEEN_BY);
      if (unsited.length === 0) continue;
      const since = Math.min(...unsited.map((r) => r.updated_at)) - 3_600_000;
      const found = await sitesFromEvents(this.store, kind, unsited.map((r) => r.id), since);
      const changed: (Queue | Agent)[] = [];
      for (const { id, first_site: site } of found) {
        const cur = current.get(id);
        if (!cur || cur.site !== '' || cur.updated_by !== FIRST_SEEN_BY) continue;
        if (!this.sites.has(site)) this.firstSeen('site', site, site);
        changed.push({ ...cur, site, version: nextVersion(), updated_at: this.now() });
      }
      if (changed.length === 0) continue;
      if (kind === 'queue') {
        await this.store.insertRows(TABLES.queues, (changed as Queue[]).map(queueRow));
        for (const q of changed as Queue[]) this.setQueue(q);
      } else {
        await this.store.insertRows(TABLES.agents, (changed as Agent[]).map(agentRow));
        for (const a of changed as Agent[]) this.setAgent(a);
      }
      await this.opts.audit('server', 'directory_site_learned', `${changed.length} ${kind}s`, changed.map((r) => `${r.id}=${r.site}`).join(', ').slice(0, 2000));
      for (const r of changed) this.emit({ kind, id: r.id });
    }
  }

  /** Applies the stored rows newer than memory; returns how many board rows exist (deleted included). */
  private async load(emit: boolean): Promise<{ boards: number }> {
    const [sites, queues, teams, agents, boards, acks] = await Promise.all([
      listSites(this.store),
      listQueues(this.store),
      listTeams(this.store),
      listAgents(this.store),
      listBoards(this.store),
      recentHelpAcks(this.store, this.now() - (this.opts.helpAckLookbackMs ?? 2 * 86_400_000)),
    ]);
    const changed: DirectoryChange[] = [];
    const apply = <R extends { id: string; deleted: number | string; version: number | string }>(
      kind: DirectoryChange['kind'],
      rows: R[],
      current: Map<string, { version: number }>,
      set: (r: R) => void,
    ) => {
      for (const r of rows) {
        const mine = current.get(r.id);
        if (mine && mine.version >= Number(r.version)) continue;
        if (Number(r.deleted)) {
          if (!mine) continue;
          this.remove(kind, r.id);
        } else set(r);
        changed.push({ kind, id: r.id });
      }
    };
    apply('site', sites, this.sites, (r) => this.setSite({ id: r.id, name: r.name, time_zone: r.time_zone, ...meta(r) }));
    apply('queue', queues, this.queues, (r) => this.setQueue(queueFromRow(r)));
    apply('team', teams, this.teams, (r) => this.teams.set(r.id, { id: r.id, name: r.name, site: r.site, ...meta(r) }));
    apply('agent', agents, this.agents, (r) => this.setAgent({ id: r.id, name: r.name, team: r.team === '' ? null : r.team, site: r.site, ...meta(r) }));
    apply('board', boards, this.boards, (r) => {
      try {
        this.boards.set(r.id, { id: r.id, name: r.name, ...(JSON.parse(r.layout) as BoardLayout), ...meta(r) });
      } catch (err) {
        this.opts.log('error', 'a stored board is not valid JSON; left out', { board: r.id, error: String(err) });
      }
    });
    for (const a of acks) {
      if (this.helpAcks.has(a.help_id)) continue;
      this.helpAcks.set(a.help_id, { id: a.help_id, acked_by: a.acked_by, at: Number(a.at) });
      changed.push({ kind: 'help', id: a.help_id });
    }
    if (emit) for (const c of changed) this.emit(c);
    return { boards: boards.length };
  }

  private remove(kind: DirectoryChange['kind'], id: string): void {
    if (kind === 'site') {
      this.sites.delete(id);
      this.siteInfo.delete(id);
    } else if (kind === 'queue') {
      this.queues.delete(id);
      this.queueInfo.delete(id);
    } else if (kind === 'agent') {
      this.agents.delete(id);
      this.agentInfo.delete(id);
    } else if (kind === 'team') this.teams.delete(id);
    else if (kind === 'board') this.boards.delete(id);
  }

  /** Writes the first-seen rows still waiting and stops the timer. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    await this.flush();
  }

  /** Tells `listener` of every change (`{kind, id}`); returns a function that stops it. */
  onChange(listener: (c: DirectoryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- DirectorySource (the live engine): synchronous, from memory ----------------

  site(id: string): SiteInfo | undefined {
    return this.siteInfo.get(id);
  }

  queue(id: string): QueueInfo | undefined {
    return this.queueInfo.get(id);
  }

  agent(id: string): AgentInfo | undefined {
    return this.agentInfo.get(id);
  }

  /**
   * An id first seen in events: created with defaults (name = id; a site's zone =
   * `defaultTimeZone`; a queue's and an agent's site = the event's). Kept in memory at once;
   * written in batches (one insert per table per `firstSeenFlushMs`, or at `firstSeenMaxBatch`
   * rows), never one insert per event.
   */
  firstSeen(kind: DirectoryKind, id: string, site: string): void {
    if (this.closed || !ID_PATTERN.test(id)) return;
    const m = { version: nextVersion(), updated_at: this.now(), updated_by: FIRST_SEEN_BY };
    if (site !== '' && kind !== 'site') this.firstSeen('site', site, site);
    if (kind === 'site') {
      if (this.sites.has(id)) return;
      const row: Site = { id, name: id, time_zone: this.opts.defaultTimeZone, ...m };
      this.setSite(row);
      this.pending.sites.set(id, row);
    } else if (kind === 'queue') {
      if (this.queues.has(id)) return;
      const row: Queue = { id, name: id, site, ...defaultQueueSettings(), targets: emptyTargets(), ...m };
      this.setQueue(row);
      this.pending.queues.set(id, row);
    } else {
      if (this.agents.has(id)) return;
      const row: Agent = { id, name: id, team: null, site, ...m };
      this.setAgent(row);
      this.pending.agents.set(id, row);
    }
    this.scheduleFlush();
  }

  /** Writes the waiting first-seen rows now (one insert per table). */
  flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.flushing) return this.flushing.then(() => this.flush());
    const batch = this.pending;
    if (batch.sites.size + batch.queues.size + batch.agents.size === 0) return Promise.resolve();
    this.pending = { sites: new Map(), queues: new Map(), agents: new Map() };
    this.flushing = this.writeFirstSeen(batch)
      .catch((err: unknown) => {
        this.opts.log('error', 'writing first-seen directory rows failed; retrying', { error: String(err) });
        for (const [k, v] of batch.sites) if (!this.pending.sites.has(k)) this.pending.sites.set(k, v);
        for (const [k, v] of batch.queues) if (!this.pending.queues.has(k)) this.pending.queues.set(k, v);
        for (const [k, v] of batch.agents) if (!this.pending.agents.has(k)) this.pending.agents.set(k, v);
        if (!this.closed) this.scheduleFlush(Math.max(this.flushMs, 5000));
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  private scheduleFlush(delay = this.flushMs): void {
    const size = this.pending.sites.size + this.pending.queues.size + this.pending.agents.size;
    if (size >= this.maxBatch) {
      void this.flush();
      return;
    }
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, delay);
    this.flushTimer.unref();
  }

  private async writeFirstSeen(batch: Pending): Promise<void> {
    // A row edited (a newer version in memory) since it was first seen is not written: the edit was.
    const sites = [...batch.sites.values()].filter((r) => this.sites.get(r.id) === r);
    const queues = [...batch.queues.values()].filter((r) => this.queues.get(r.id) === r);
    const agents = [...batch.agents.values()].filter((r) => this.agents.get(r.id) === r);
    if (sites.length > 0) await this.insert(TABLES.sites, sites.map(siteRow));
    if (queues.length > 0) await this.insert(TABLES.queues, queues.map(queueRow));
    if (agents.length > 0) await this.insert(TABLES.agents, agents.map(agentRow));
    const n = sites.length + queues.length + agents.length;
    if (n === 0) return;
    this.firstSeenWritten += n;
    const ids = (kind: string, rows: { id: string }[]) => (rows.length ? `${kind}: ${rows.map((r) => r.id).join(', ')}` : '');
    const detail = [ids('sites', sites), ids('queues', queues), ids('agents', agents)].filter(Boolean).join('; ');
    await this.opts.audit('server', 'directory_first_seen', `${n} ids`, detail.length > 2000 ? `${detail.slice(0, 2000)}…` : detail);
    for (const r of sites) this.emit({ kind: 'site', id: r.id });
    for (const r of queues) this.emit({ kind: 'queue', id: r.id });
    for (const r of agents) this.emit({ kind: 'agent', id: r.id });
  }

  private async insert(table: string, rows: Record<string, unknown>[]): Promise<void> {
    this.firstSeenInserts++;
    await this.store.insertRows(table, rows);
  }

  // ---- reads (API) -------------------------------------------------------------------

  listSites(): Site[] {
    return sorted(this.sites);
  }
  listQueues(): Queue[] {
    return sorted(this.queues);
  }
  listTeams(): Team[] {
    return sorted(this.teams);
  }
  listAgents(): Agent[] {
    return sorted(this.agents);
  }
  listBoards(): Board[] {
    return sorted(this.boards);
  }
  getSite(id: string): Site | undefined {
    return this.sites.get(id);
  }
  getQueue(id: string): Queue | undefined {
    return this.queues.get(id);
  }
  getTeam(id: string): Team | undefined {
    return this.teams.get(id);
  }
  getAgent(id: string): Agent | undefined {
    return this.agents.get(id);
  }
  board(id: string): Board | undefined {
    return this.boards.get(id);
  }
  /** The acknowledgement of a help request (`agent.help` event id), if any. */
  helpAck(id: string): HelpAck | undefined {
    return this.helpAcks.get(id);
  }
  /** Who acknowledged a help request, if anyone. */
  helpAckedBy(id: string): string | undefined {
    return this.helpAcks.get(id)?.acked_by;
  }
  /** The zones of the known sites and the default zone (the engine's rebuild loads "today" for each). */
  timeZones(): string[] {
    return [...new Set([this.opts.defaultTimeZone, ...[...this.sites.values()].map((s) => s.time_zone)])];
  }

  // ---- changes -------------------------------------------------------------------

  /** Creates or changes a site. */
  putSite(id: string, input: SiteInput, by: string): Promise<Site> {
    return this.oneAtATime(async () => {
      checkId(id);
      const cur = this.sites.get(id);
      const timeZone = input.time_zone ?? cur?.time_zone ?? this.opts.defaultTimeZone;
      if (!isValidTimeZone(timeZone)) throw new DirectoryInputError(`time_zone: not an IANA time zone (got ${JSON.stringify(timeZone)})`);
      const row: Site = { id, name: nonEmpty('name', input.name) ?? cur?.name ?? id, time_zone: timeZone, ...this.meta(by) };
      await this.store.insertRows(TABLES.sites, [siteRow(row)]);
      this.setSite(row);
      this.pending.sites.delete(id);
      await this.opts.audit(by, 'site_saved', id, `name=${row.name}; time_zone=${row.time_zone}`);
      this.emit({ kind: 'site', id });
      return row;
    });
  }

  /** Creates or changes a queue; fields not given keep their value (or the default). */
  putQueue(id: string, input: QueueInput, by: string): Promise<Queue> {
    return this.oneAtATime(async () => {
      checkId(id);
      const cur = this.queues.get(id);
      const base = cur ?? { name: id, site: '', ...defaultQueueSettings(), targets: emptyTargets() };
      const site = input.site ?? base.site;
      this.checkSite('site', site);
      const slFormula = input.sl_formula ?? base.sl_formula;
      if (!(SL_FORMULAS as readonly string[]).includes(slFormula)) {
        throw new DirectoryInputError(`sl_formula: must be one of ${SL_FORMULAS.join(', ')} (got ${JSON.stringify(slFormula)})`);
      }
      const slFlowouts = input.sl_flowouts ?? base.sl_flowouts;
      if (!(SL_FLOWOUTS as readonly string[]).includes(slFlowouts)) {
        throw new DirectoryInputError(`sl_flowouts: must be one of ${SL_FLOWOUTS.join(', ')} (got ${JSON.stringify(slFlowouts)})`);
      }
      const targets = { ...base.targets };
      for (const [k, v] of Object.entries(input.targets ?? {}) as [keyof QueueTargets, number | null][]) {
        if (!(k in targets)) throw new DirectoryInputError(`targets.${k}: unknown target (known: ${Object.keys(emptyTargets()).join(', ')})`);
        if (v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new DirectoryInputError(`targets.${k}: must be a number ≥ 0 or null (got ${JSON.stringify(v)})`);
        if (v !== null && (k === 'service_level' || k === 'abandon_rate') && v > 1) throw new DirectoryInputError(`targets.${k}: must be a fraction from 0 to 1 (got ${v})`);
        targets[k] = v;
      }
      const row: Queue = {
        id,
        name: nonEmpty('name', input.name) ?? base.name,
        site,
        sl_threshold_s: seconds('sl_threshold_s', input.sl_threshold_s) ?? base.sl_threshold_s,
        short_abandon_s: seconds('short_abandon_s', input.short_abandon_s) ?? base.short_abandon_s,
        sl_formula: slFormula as SlFormula,
        sl_flowouts: slFlowouts as SlFlowouts,
        targets,
        ...this.meta(by),
      };
      await this.store.insertRows(TABLES.queues, [queueRow(row)]);
      this.setQueue(row);
      this.pending.queues.delete(id);
      await this.opts.audit(
        by,
        'queue_saved',
        id,
        `name=${row.name}; site=${row.site}; T=${row.sl_threshold_s}; S=${row.short_abandon_s}; sl_formula=${row.sl_formula}; sl_flowouts=${row.sl_flowouts}; targets=${JSON.stringify(row.targets)}`,
      );
      this.emit({ kind: 'queue', id });
      return row;
    });
  }

  putTeam(id: string, input: TeamInput, by: string): Promise<Team> {
    return this.oneAtATime(async () => {
      checkId(id);
      const cur = this.teams.get(id);
      const site = input.site ?? cur?.site ?? '';
      this.checkSite('site', site);
      const row: Team = { id, name: nonEmpty('name', input.name) ?? cur?.name ?? id, site, ...this.meta(by) };
      await this.store.insertRows(TABLES.teams, [{ ...row, deleted: 0 }]);
      this.teams.set(id, row);
      await this.opts.audit(by, 'team_saved', id, `name=${row.name}; site=${row.site}`);
      this.emit({ kind: 'team', id });
      return row;
    });
  }

  /** Deletes a team (a version marked deleted). Its agents keep the team id until edited. */
  deleteTeam(id: string, by: string): Promise<void> {
    return this.oneAtATime(async () => {
      const cur = this.teams.get(id);
      if (!cur) throw new DirectoryInputError(`id: no team ${JSON.stringify(id)}`, 404);
      await this.store.insertRows(TABLES.teams, [{ id, name: cur.name, site: cur.site, deleted: 1, ...this.meta(by) }]);
      this.teams.delete(id);
      await this.opts.audit(by, 'team_deleted', id, cur.name);
      this.emit({ kind: 'team', id });
    });
  }

  putAgent(id: string, input: AgentInput, by: string): Promise<Agent> {
    return this.oneAtATime(async () => {
      checkId(id);
      const cur = this.agents.get(id);
      const team = input.team === undefined ? (cur?.team ?? null) : input.team === '' ? null : input.team;
      if (team !== null && input.team !== undefined && !this.teams.has(team)) throw new DirectoryInputError(`team: no team ${JSON.stringify(team)}`);
      const site = input.site ?? cur?.site ?? '';
      this.checkSite('site', site);
      const row: Agent = { id, name: nonEmpty('name', input.name) ?? cur?.name ?? id, team, site, ...this.meta(by) };
      await this.store.insertRows(TABLES.agents, [agentRow(row)]);
      this.setAgent(row);
      this.pending.agents.delete(id);
      await this.opts.audit(by, 'agent_saved', id, `name=${row.name}; team=${row.team ?? ''}; site=${row.site}`);
      this.emit({ kind: 'agent', id });
      return row;
    });
  }

  /** Creates a board from a body (validated; errors name the path); returns it. */
  createBoard(body: unknown, by: string): Promise<Board> {
    return this.oneAtATime(async () => {
      const { name, layout } = boardOrThrow(body);
      let id = `b-${randomBytes(6).toString('base64url')}`;
      while (this.boards.has(id)) id = `b-${randomBytes(6).toString('base64url')}`;
      return this.writeBoard(id, name, layout, by, 'board_created');
    });
  }

  /** Replaces a board (404 when there is none). A new `ticker` is how the ticker message is set. */
  putBoard(id: string, body: unknown, by: string): Promise<Board> {
    return this.oneAtATime(async () => {
      if (!this.boards.has(id)) throw new DirectoryInputError(`id: no board ${JSON.stringify(id)}`, 404);
      const { name, layout } = boardOrThrow(body);
      return this.writeBoard(id, name, layout, by, 'board_saved');
    });
  }

  deleteBoard(id: string, by: string): Promise<void> {
    return this.oneAtATime(async () => {
      const cur = this.boards.get(id);
      if (!cur) throw new DirectoryInputError(`id: no board ${JSON.stringify(id)}`, 404);
      const { id: _id, name, version: _v, updated_at: _a, updated_by: _b, ...layout } = cur;
      await this.store.insertRows(TABLES.boards, [{ id, name, layout: JSON.stringify(layout), deleted: 1, ...this.meta(by) }]);
      this.boards.delete(id);
      await this.opts.audit(by, 'board_deleted', id, name);
      this.emit({ kind: 'board', id });
    });
  }

  /**
   * Acknowledges a help request (the id of its `agent.help` event). The first acknowledgement
   * counts: acknowledging again answers the existing one and writes nothing.
   */
  ackHelp(id: string, by: string): Promise<HelpAck & { already: boolean }> {
    return this.oneAtATime(async () => {
      checkId(id);
      const existing = this.helpAcks.get(id);
      if (existing) return { ...existing, already: true };
      const ack: HelpAck = { id, acked_by: by, at: this.now() };
      await this.store.insertRows(TABLES.helpAcks, [{ help_id: id, acked_by: by, at: ack.at }]);
      this.helpAcks.set(id, ack);
      await this.opts.audit(by, 'help_acked', id, '');
      this.emit({ kind: 'help', id });
      return { ...ack, already: false };
    });
  }

  // ---- internals -------------------------------------------------------------------

  private async writeBoard(id: string, name: string, layout: BoardLayout, by: string, action: string): Promise<Board> {
    const m = this.meta(by);
    await this.store.insertRows(TABLES.boards, [{ id, name, layout: JSON.stringify(layout), deleted: 0, ...m }]);
    const board: Board = { id, name, ...layout, ...m };
    this.boards.set(id, board);
    await this.opts.audit(by, action, id, name);
    this.emit({ kind: 'board', id });
    return board;
  }

  private meta(by: string): { version: number; updated_at: number; updated_by: string } {
    return { version: nextVersion(), updated_at: this.now(), updated_by: by };
  }

  /** A site field must name a known site, or be '' (not known). */
  private checkSite(field: string, site: string): void {
    if (site !== '' && !this.sites.has(site)) throw new DirectoryInputError(`${field}: no site ${JSON.stringify(site)}`);
  }

  private setSite(s: Site): void {
    this.sites.set(s.id, s);
    this.siteInfo.set(s.id, { name: s.name, timeZone: s.time_zone });
  }

  private setQueue(q: Queue): void {
    this.queues.set(q.id, q);
    const info: QueueInfo = {
      name: q.name,
      settings: { slThresholdS: q.sl_threshold_s, shortAbandonS: q.short_abandon_s, slFormula: q.sl_formula, slFlowouts: q.sl_flowouts },
    };
    // '' = not known: the engine then uses the site the events name
    if (q.site !== '') info.site = q.site;
    this.queueInfo.set(q.id, info);
  }

  private setAgent(a: Agent): void {
    this.agents.set(a.id, a);
    const info: AgentInfo = { name: a.name };
    if (a.team !== null) info.team = a.team;
    if (a.site !== '') info.site = a.site;
    this.agentInfo.set(a.id, info);
  }

  private emit(c: DirectoryChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (err) {
        this.opts.log('error', 'a directory change listener failed', { error: String(err), kind: c.kind, id: c.id });
      }
    }
  }

  private oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    const run = this.writes.then(change, change);
    this.writes = run.catch(() => undefined);
    return run;
  }
}

function defaultQueueSettings(): Pick<Queue, 'sl_threshold_s' | 'short_abandon_s' | 'sl_formula' | 'sl_flowouts'> {
  const d = DEFAULT_QUEUE_SETTINGS;
  return { sl_threshold_s: d.slThresholdS, short_abandon_s: d.shortAbandonS, sl_formula: d.slFormula, sl_flowouts: d.slFlowouts };
}

function meta(r: { version: number | string; updated_at: number | string; updated_by: string }) {
  return { version: Number(r.version), updated_at: Number(r.updated_at), updated_by: r.updated_by };
}

function queueFromRow(r: {
  id: string;
  name: string;
  site: string;
  sl_threshold_s: number;
  short_abandon_s: number;
  sl_formula: string;
  sl_flowouts: string;
  targets: string;
  version: number | string;
  updated_at: number | string;
  updated_by: string;
}): Queue {
  const d = defaultQueueSettings();
  let targets = emptyTargets();
  try {
    targets = { ...targets, ...(JSON.parse(r.targets) as Partial<QueueTargets>) };
  } catch {
    // an unreadable targets value: none
  }
  return {
    id: r.id,
    name: r.name,
    site: r.site,
    sl_threshold_s: Number(r.sl_threshold_s),
    short_abandon_s: Number(r.short_abandon_s),
    sl_formula: (SL_FORMULAS as readonly string[]).includes(r.sl_formula) ? (r.sl_formula as SlFormula) : d.sl_formula,
    sl_flowouts: (SL_FLOWOUTS as readonly string[]).includes(r.sl_flowouts) ? (r.sl_flowouts as SlFlowouts) : d.sl_flowouts,
    targets,
    ...meta(r),
  };
}

const siteRow = (s: Site) => ({ ...s, deleted: 0 });
const queueRow = (q: Queue) => ({ ...q, targets: JSON.stringify(q.targets), deleted: 0 });
const agentRow = (a: Agent) => ({ ...a, team: a.team ?? '', deleted: 0 });

function sorted<T extends { id: string }>(m: Map<string, T>): T[] {
  return [...m.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new DirectoryInputError(`id: must be 1 to 64 characters without control characters (got ${JSON.stringify(id.slice(0, 80))})`);
}

function nonEmpty(field: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t === '' || t.length > 100) throw new DirectoryInputError(`${field}: must be 1 to 100 characters`);
  return t;
}

function seconds(field: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 86_400) throw new DirectoryInputError(`${field}: must be a number of seconds from 0 to 86400 (got ${JSON.stringify(v)})`);
  return v;
}

function boardOrThrow(body: unknown): { name: string; layout: BoardLayout } {
  try {
    return validateBoard(body);
  } catch (err) {
    throw new DirectoryInputError((err as Error).message);
  }
}
