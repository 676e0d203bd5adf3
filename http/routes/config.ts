// GET /api/config: the server configuration the Daytona SDK (getMetrics) and
// dashboards read. Public: it holds no secret.
import { route, type RouteTable } from '../route.js';
import { BERTH_VERSION } from '../../common/version.js';
import { AUTO_ARCHIVE_MAX_MINUTES } from '../../orchestrator/index.js';

export function registerConfig(t: RouteTable): void {
  const d = t.d;
  route(
    t,
    {
      method: 'get',
      path: '/config',
      summary: 'Server configuration for SDKs and dashboards',
      tags: ['server'],
      auth: 'none',
    },
    (ctx) => {
      const c = d.config;
      const ssh = d.orch.ssh.gateway.endpoint();
      ctx.body = {
        version: BERTH_VERSION,
        oidc: { issuer: '', clientId: '', audience: '' },
        linkedAccountsEnabled: false,
        announcements: {},
        proxyTemplateUrl: d.orch.preview.links.template(),
        proxyToolboxUrl: `${c.publicUrl}/toolbox`,
        defaultSnapshot: c.defaultImage,
        dashboardUrl: c.publicUrl,
        maxAutoArchiveInterval: AUTO_ARCHIVE_MAX_MINUTES,
        maintananceMode: false,
        environment: 'self-hosted',
        // No separate analytics service: the SDK then asks this API for metrics.
        analyticsApiUrl: '',
        // Berth's own: where the SSH gateway listens and its host key, to check on first connection.
        ssh: ssh
          ? {
              host: d.orch.ssh.access.host(),
              port: ssh.port,
              hostKeyFingerprint: ssh.hostKeyFingerprint,
              hostKey: ssh.hostKey,
            }
          : null,
      };
    },
  );
}
