// Names for the API's shapes the pages use, all taken from the generated schema.
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<P extends keyof paths, M extends 'get' | 'post' | 'patch'> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer A }
      ? Json<A>
      : never
  : never;
export type Body<P extends keyof paths, M extends 'post' | 'patch'> = paths[P][M] extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

export type Me = Ok<'/api/v1/auth/me', 'get'>;
export type Datacenter = Ok<'/api/v1/datacenters/{id}', 'get'>;
export type Localization = Ok<'/api/v1/localizations', 'get'>['items'][number];
export type ProcessingModule = Ok<'/api/v1/processing-modules/{id}', 'get'>;
export type ModuleTypes = Ok<'/api/v1/processing-modules/types', 'get'>;
export type ConnectionCheck = Ok<'/api/v1/processing-modules/check-connection', 'post'>;
export type Department = Ok<'/api/v1/departments/{id}', 'get'>;
export type License = Ok<'/api/v1/licenses/{id}', 'get'>;
export type Operation = Ok<'/api/v1/operations/{id}', 'get'>;
export type Task = Ok<'/api/v1/tasks/{id}', 'get'>;
export type Provider = Ok<'/api/v1/providers/{id}', 'get'>;
export type BusinessHours = Ok<'/api/v1/business-hours/{id}', 'get'>;
export type BusinessHoursBody = Body<'/api/v1/business-hours', 'post'>;
export type AuditEntry = Ok<'/api/v1/audit', 'get'>['items'][number];
export type Dashboard = Ok<'/api/v1/dashboard', 'get'>;
export type CompleteBody = Body<'/api/v1/operations/{id}/complete', 'post'>;
export type ModuleInput = Body<'/api/v1/processing-modules', 'post'>;
export type OperationStatus = Operation['status'];
export type TaskStatus = Task['status'];
export type Employee = Ok<'/api/v1/employees/{id}', 'get'>;
export type Member = Ok<'/api/v1/departments/{id}/members', 'get'>['items'][number];
export type TicketSummary = Ok<'/api/v1/tickets', 'get'>['items'][number];
export type Ticket = Ok<'/api/v1/tickets/{id}', 'get'>;
export type TicketMessage = Ticket['messages'][number];
export type TicketStatus = Ticket['status'];
export type Attachment = Ok<'/api/v1/attachments', 'post'>;
