import type { App } from '../../platform/http/app.js';
import { DashboardView } from './schemas.js';
import type { DashboardService } from './service.js';

export function dashboardRoutes(app: App, dashboard: DashboardService): void {
  app.get('/api/v1/dashboard', {
    schema: {
      response: { 200: DashboardView },
      tags: ['Dashboard'],
      summary: "Upstream balances with days left at the last 30 days' spending, licenses expiring in 14 days, today's orders and revenue, margin by tariff",
      description: 'Any employee; each part only with the read right of its area: balances processing-modules.read, expiring licenses licenses.read, orders, revenue and margins tariffs.read (empty otherwise).',
    },
    preHandler: app.requireStaff,
  }, async (req) => dashboard.summary(req.actor));
}
