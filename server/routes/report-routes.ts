/** History reports and staffing (`reports` scope for people, `read` for API keys). */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { sendError, sendJson } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { parseStaffingQuery, StaffingInputError, staffingFor } from '../reports/staffing.ts';
import { registerRoute } from './route-kit.ts';

export function registerReportRoutes(app: TemplatedApp, auth: Authenticator, log: Logger): void {
  const route = registerRoute.bind(null, app, auth, log);
  const opts = { scope: ['reports', 'read'] as const, noDisplay: true };

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
