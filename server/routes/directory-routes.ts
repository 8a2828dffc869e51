import { Type } from '@sinclair/typebox';
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { sendJson } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { SL_FLOWOUTS, SL_FORMULAS } from '../contact-metrics/settings.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { jsonBody } from './request-body.ts';
import { registerRoute } from './route-kit.ts';

const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Name = Type.String({ minLength: 1, maxLength: 100 });
const SiteRef = Type.String({ maxLength: 64 });
const Target = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);

const siteBody = jsonBody(Type.Object({ name: Type.Optional(Name), time_zone: Type.Optional(Type.String({ maxLength: 64 })) }));
const queueBody = jsonBody(
  Type.Object({
    name: Type.Optional(Name),
    site: Type.Optional(SiteRef),
    sl_threshold_s: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
    short_abandon_s: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
    sl_formula: Type.Optional(literals(SL_FORMULAS)),
    sl_flowouts: Type.Optional(literals(SL_FLOWOUTS)),
    targets: Type.Optional(
      Type.Object(
        {
          service_level: Type.Optional(Target),
          asa_s: Type.Optional(Target),
          abandon_rate: Type.Optional(Target),
          longest_wait_s: Type.Optional(Target),
        },
        { additionalProperties: false },
      ),
    ),
  }),
);
const teamBody = jsonBody(Type.Object({ name: Type.Optional(Name), site: Type.Optional(SiteRef) }));
const agentBody = jsonBody(
  Type.Object({ name: Type.Optional(Name), team: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])), site: Type.Optional(SiteRef) }),
);

/**
 * Sites, queues, teams and agents. Read: anyone with `live` but display tokens (admin,
 * supervisor, manager, qa; keys with `live`). Write: sites `admin`; the rest `directory`
 * (admin, supervisor).
 */
export function registerDirectoryRoutes(app: TemplatedApp, auth: Authenticator, directory: DirectoryService, log: Logger): void {
  const read = { scope: 'live', noDisplay: true } as const;
  const route = registerRoute.bind(null, app, auth, log);

  route('get', '/v1/sites', read, async ({ reply }) => sendJson(reply, 200, { sites: directory.listSites() }));
  route('get', '/v1/queues', read, async ({ reply }) => sendJson(reply, 200, { queues: directory.listQueues() }));
  route('get', '/v1/teams', read, async ({ reply }) => sendJson(reply, 200, { teams: directory.listTeams() }));
  route('get', '/v1/agents', read, async ({ reply }) => sendJson(reply, 200, { agents: directory.listAgents() }));

  route('put', '/v1/sites/:id', { scope: 'admin', params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await directory.putSite(params[0]!, await siteBody(body), who.name));
  });
  route('put', '/v1/queues/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await directory.putQueue(params[0]!, await queueBody(body), who.name));
  });
  route('put', '/v1/teams/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await directory.putTeam(params[0]!, await teamBody(body), who.name));
  });
  route('del', '/v1/teams/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params }) => {
    await directory.deleteTeam(params[0]!, who.name);
    sendJson(reply, 200, { id: params[0], deleted: true });
  });
  route('put', '/v1/agents/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await directory.putAgent(params[0]!, await agentBody(body), who.name));
  });
}
