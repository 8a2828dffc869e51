/** History reports and staffing (`reports` scope for people, `read` for API keys). */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { send, sendError, sendJson, type Reply } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import type { Principal } from '../../platform/auth.ts';
import { agentBreaks, agentReport, agentSessions } from '../reports/agent-report.ts';
import { callsReport, CALLS_REPORT_PARAMS, parseCallListOptions } from '../reports/calls-report.ts';
import { abandonReport, heatmapReport, volumeReport } from '../reports/call-mix.ts';
import { toCsv } from '../reports/csv.ts';
import { parseQueueReportExtras, QUEUE_REPORT_PARAMS, queueReport, type ReportDirectory } from '../reports/queue-report.ts';
import { parseReportPeriod, ReportInputError } from '../reports/report-query.ts';
import { parseStaffingQuery, StaffingInputError, staffingFor } from '../reports/staffing.ts';
import { parseStaffingTargets, STAFFING_REPORT_PARAMS, staffingReport } from '../reports/staffing-report.ts';
import { registerRoute } from './route-kit.ts';

export interface ReportDeps {
  store: Store;
  directory: ReportDirectory;
  /** the center's zone when no single site decides it */
  defaultTimeZone: string;
}

function sendCsv(reply: Reply, name: string, csv: string): void {
  send(reply, 200, csv, { 'Content-Disposition': `attachment; filename="${name}.csv"` }, 'text/csv; charset=utf-8');
}

export function registerReportRoutes(app: TemplatedApp, auth: Authenticator, log: Logger, deps?: ReportDeps): void {
  const route = registerRoute.bind(null, app, auth, log);
  const opts = { scope: ['reports', 'read'] as const, noDisplay: true };
  const defaultZone = (sites: string[]) => (sites.length === 1 ? deps?.directory.site(sites[0]!)?.timeZone : undefined) ?? deps?.defaultTimeZone ?? 'UTC';

  if (deps) {
    route('get', '/v1/reports/queues', opts, async ({ reply, info }) => {
      let params;
      try {
        params = { ...parseReportPeriod(info.query, { defaultZone, filters: ['site', 'queue'], extra: QUEUE_REPORT_PARAMS }), ...parseQueueReportExtras(info.query) };
      } catch (err) {
        if (err instanceof ReportInputError) return sendError(reply, 400, err.message);
        throw err;
      }
      const report = await queueReport(deps.store, deps.directory, params);
      if (params.format === 'csv') return sendCsv(reply, 'queues', toCsv(report.rows));
      sendJson(reply, 200, report);
    });

    // Agents read their own figures; the other readers any agent (filtered by agent, team or site).
    const agentOpts = { scope: ['reports', 'read', 'own'] as const, noDisplay: true };
    const agentsInScope = (who: Principal, p: { agents: string[]; teams: string[]; sites: string[] }): string[] => {
      if (!who.scopes.has('reports') && !who.scopes.has('read')) return [who.name];
      if (p.agents.length > 0) return p.agents;
      if (p.teams.length === 0 && p.sites.length === 0) return [];
      const teams = new Set(p.teams);
      const sites = new Set(p.sites);
      const ids = deps.directory
        .listAgents()
        .filter((a) => (teams.size === 0 || teams.has(a.team ?? '')) && (sites.size === 0 || sites.has(a.site)))
        .map((a) => a.id);
      return ids.length > 0 ? ids : ['\u0000none'];
    };
    const agentPeriod = (q: URLSearchParams) => parseReportPeriod(q, { defaultZone, filters: ['site', 'agent', 'team'] });
    const agentRoute = (path: string, name: string, build: (p: ReturnType<typeof agentPeriod>, agents: string[]) => Promise<object>, rowsOf: (r: object) => object[]) =>
      route('get', path, agentOpts, async ({ reply, info, who }) => {
        let period;
        try {
          period = agentPeriod(info.query);
        } catch (err) {
          if (err instanceof ReportInputError) return sendError(reply, 400, err.message);
          throw err;
        }
        const result = await build(period, agentsInScope(who, period));
        if (period.format === 'csv') return sendCsv(reply, name, toCsv(rowsOf(result)));
        sendJson(reply, 200, result);
      });
    agentRoute('/v1/reports/agents', 'agents', (p, a) => agentReport(deps.store, p, a), (r) => (r as { rows: object[] }).rows);
    agentRoute('/v1/reports/agent-sessions', 'agent-sessions', async (p, a) => ({ rows: await agentSessions(deps.store, p, a) }), (r) => (r as { rows: object[] }).rows);
    agentRoute('/v1/reports/agent-breaks', 'agent-breaks', async (p, a) => ({ rows: await agentBreaks(deps.store, p, a) }), (r) => (r as { rows: object[] }).rows);

    route('get', '/v1/reports/calls', opts, async ({ reply, info }) => {
      let period;
      let options;
      try {
        period = parseReportPeriod(info.query, { defaultZone, filters: ['site', 'queue', 'agent'], extra: CALLS_REPORT_PARAMS });
        options = parseCallListOptions(info.query);
      } catch (err) {
        if (err instanceof ReportInputError) return sendError(reply, 400, err.message);
        throw err;
      }
      const report = await callsReport(deps.store, period, options);
      if (period.format === 'csv') return sendCsv(reply, 'calls', toCsv(report.rows));
      sendJson(reply, 200, report);
    });

    // What callers wanted and how it went (per-call rows): volume with reasons, IVR and surveys; abandons; heatmap.
    const mixRoute = <T extends object>(path: string, name: string, build: (p: ReturnType<typeof parseReportPeriod>) => Promise<T>, rowsOf: (r: T) => object[]) =>
      route('get', path, opts, async ({ reply, info }) => {
        let period;
        try {
          period = parseReportPeriod(info.query, { defaultZone, filters: ['site', 'queue'] });
        } catch (err) {
          if (err instanceof ReportInputError) return sendError(reply, 400, err.message);
          throw err;
        }
        const report = await build(period);
        if (period.format === 'csv') return sendCsv(reply, name, toCsv(rowsOf(report)));
        sendJson(reply, 200, report);
      });
    mixRoute('/v1/reports/volume', 'volume', (p) => volumeReport(deps.store, p), (r) => r.rows);
    mixRoute('/v1/reports/abandons', 'abandons', (p) => abandonReport(deps.store, p), (r) => r.buckets);
    mixRoute('/v1/reports/heatmap', 'heatmap', (p) => heatmapReport(deps.store, p), (r) => r.cells);

    route('get', '/v1/reports/staffing', opts, async ({ reply, info }) => {
      let period;
      let targets;
      try {
        period = parseReportPeriod(info.query, { defaultZone, filters: ['site', 'queue'], extra: STAFFING_REPORT_PARAMS });
        targets = parseStaffingTargets(info.query);
      } catch (err) {
        if (err instanceof ReportInputError || err instanceof StaffingInputError) return sendError(reply, 400, err.message);
        throw err;
      }
      const report = await staffingReport(deps.store, deps.directory, period, targets);
      if (period.format === 'csv') return sendCsv(reply, 'staffing', toCsv(report.rows));
      sendJson(reply, 200, report);
    });
  }

  route('get', '/v1/staffing/erlang', opts, async ({ reply, info }) => {
    let query;
    try {
      query = parseStaffingQuery(info.query);
    } catch (err) {
      if (err instanceof StaffingInputError) return sendError(reply, 400, err.message);
      throw err;
    }
    sendJson(reply, 200, staffingFor(query));
  });
}
