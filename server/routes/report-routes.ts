/** History reports and staffing (`reports` scope for people, `read` for API keys). */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { send, sendError, sendJson, type Reply } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
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
