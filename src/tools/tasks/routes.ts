import { pageOf } from '../../platform/db/paging.js';
import type { App } from '../../platform/http/app.js';
import { IdParams } from '../../platform/http/schemas.js';
import { AssignInput, RestartView, TaskListQuery, TaskPatch, TaskView } from './schemas.js';
import type { TaskService } from './service.js';

const tags = ['Tools: Tasks'];

/** Employees only (clients get 403); within that, a task is visible to its department's members and administrators. */
export function taskRoutes(app: App, tasks: TaskService): void {
  app.get('/api/v1/tasks', {
    schema: { querystring: TaskListQuery, response: { 200: pageOf(TaskView) }, tags, summary: 'Tasks of my departments (all of them for administrators), newest first' },
    preHandler: app.requireRight('tasks.read'),
  }, async (req) => tasks.list(req.query, req.actor));

  app.get('/api/v1/tasks/:id', {
    schema: { params: IdParams, response: { 200: TaskView }, tags },
    preHandler: app.requireRight('tasks.read'),
  }, async (req) => tasks.get(req.params.id, req.actor));

  app.patch('/api/v1/tasks/:id', {
    schema: { params: IdParams, body: TaskPatch, response: { 200: TaskView }, tags, summary: 'Take, hand over or close a task (done frees its cause)' },
    preHandler: app.requireRight('tasks.change'),
  }, async (req) => tasks.update(req.params.id, req.body, req.actor));

  app.post('/api/v1/tasks/:id/take', {
    schema: { params: IdParams, response: { 200: TaskView }, tags, summary: 'Work the task: I become its performer, and a new task is in progress' },
    preHandler: app.requireRight('tasks.change'),
  }, async (req) => tasks.take(req.params.id, req.actor));

  app.post('/api/v1/tasks/:id/assign', {
    schema: { params: IdParams, body: AssignInput, response: { 200: TaskView }, tags, summary: "Give the task to a member of its department (422 for anyone else)" },
    preHandler: app.requireRight('tasks.change'),
  }, async (req) => tasks.assign(req.params.id, req.body.employeeId, req.actor));

  app.post('/api/v1/tasks/:id/restart', {
    schema: { params: IdParams, response: { 200: RestartView }, tags, summary: 'Restart the running operation the task is about' },
    preHandler: app.requireRight('tasks.change'),
  }, async (req) => tasks.restart(req.params.id, req.actor));
}
