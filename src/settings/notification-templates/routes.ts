import type { App } from '../../platform/http/app.js';
import { TemplateInput, TemplateList, TemplateParams, TemplatePreview, TemplateView } from './schemas.js';
import type { NotificationTemplateService } from './service.js';

const tags = ['Settings: Notification templates'];

/** The e-mails' words per event and language, for staff holding notification-templates.read (changes: .change). */
export function notificationTemplateRoutes(app: App, templates: NotificationTemplateService): void {
  app.get('/api/v1/notification-templates', {
    schema: { response: { 200: TemplateList }, tags, summary: 'Every event in every language: whether staff changed it, and its subject' },
    preHandler: app.requireRight('notification-templates.read'),
  }, async () => templates.list());

  app.get('/api/v1/notification-templates/:event/:locale', {
    schema: { params: TemplateParams, response: { 200: TemplateView }, tags, summary: 'One template: the default words, the current ones and the placeholders it may use' },
    preHandler: app.requireRight('notification-templates.read'),
  }, async (req) => templates.get(req.params.event, req.params.locale));

  app.put('/api/v1/notification-templates/:event/:locale', {
    schema: {
      params: TemplateParams, body: TemplateInput, response: { 200: TemplateView }, tags,
      summary: 'Sets the subject and body sent from now on; an unknown {placeholder} or a subject of more than one line is a 422 naming the field',
    },
    preHandler: app.requireRight('notification-templates.change'),
  }, async (req) => templates.save(req.params.event, req.params.locale, req.body, req.actor));

  app.delete('/api/v1/notification-templates/:event/:locale', {
    schema: { params: TemplateParams, response: { 200: TemplateView }, tags, summary: 'Back to the default words' },
    preHandler: app.requireRight('notification-templates.change'),
  }, async (req) => templates.reset(req.params.event, req.params.locale, req.actor));

  app.post('/api/v1/notification-templates/:event/:locale/preview', {
    schema: {
      params: TemplateParams, body: TemplateInput, response: { 200: TemplatePreview }, tags,
      summary: 'The given subject and body rendered with sample values (nothing is saved); checked like a save',
    },
    preHandler: app.requireRight('notification-templates.read'),
  }, async (req) => templates.preview(req.params.event, req.params.locale, req.body));
}
