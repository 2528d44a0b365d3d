import { z } from 'zod';
import { PageQuery } from '../../platform/db/paging.js';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const QueryId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const TICKET_STATUSES = ['new', 'answered', 'waiting_for_client', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** What a staff reply may leave the ticket in. */
export const REPLY_STATUSES = ['answered', 'waiting_for_client', 'closed'] as const;
export type ReplyStatus = (typeof REPLY_STATUSES)[number];
export type AuthorKind = 'client' | 'employee';

const Body = z.string().trim().min(1).max(20_000);
const AttachmentIds = z.array(Id).max(10).meta({ description: 'Uploads of the caller (POST /api/v1/attachments) to attach; at most 10' });

export const SupportDepartmentsQuery = z.object({
  clientId: QueryId.optional().meta({ description: 'Staff: the client whose support center to show (required for staff)' }),
});
export type SupportDepartmentsQuery = z.infer<typeof SupportDepartmentsQuery>;

export const SupportDepartment = z.object({
  id: z.number().int(),
  name: z.string().meta({ description: "The department's name in the caller's language" }),
  description: z.string().nullable().meta({ description: 'Its ticket category description, shown to clients choosing a department' }),
  sort: z.number().int(),
});
export const SupportDepartments = z.object({ items: z.array(SupportDepartment) });

export const TicketListQuery = PageQuery.extend({
  status: z.enum(TICKET_STATUSES).optional(),
  departmentId: QueryId.optional(),
  clientId: QueryId.optional(),
  performer: z
    .union([z.enum(['me', 'none']), z.string().regex(/^[1-9][0-9]{0,15}$/, 'me, none or an employee id')])
    .optional()
    .meta({ description: '"me", "none" or an employee id (staff only)' }),
  overdue: z.enum(['true', 'false']).optional().meta({ description: 'true: only tickets waiting for staff past their due time' }),
  q: z.string().trim().max(200).optional().meta({ description: 'Words in the subject, or a ticket number' }),
});
export type TicketListQuery = z.infer<typeof TicketListQuery>;

export const TicketSummary = z.object({
  id: z.number().int(),
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  overdue: z.boolean().meta({ description: 'Status new and the due time has passed' }),
  clientId: z.number().int(),
  clientName: z.string(),
  departmentId: z.number().int(),
  departmentName: z.string(),
  performerId: z.number().int().nullable(),
  performerName: z.string().nullable(),
  licenseId: z.number().int().nullable(),
  licenseName: z.string().nullable(),
  dueAt: z.string().nullable().meta({ description: 'When an answer is due (status new only), from the department\'s business hours' }),
  lastMessageAt: z.string(),
  lastMessageBy: z.enum(['client', 'employee']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TicketSummary = z.infer<typeof TicketSummary>;

export const AttachmentView = z.object({
  id: z.number().int(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
});
export type AttachmentView = z.infer<typeof AttachmentView>;

export const TicketMessageView = z.object({
  id: z.number().int(),
  authorKind: z.enum(['client', 'employee']),
  authorId: z.number().int(),
  authorName: z.string(),
  body: z.string(),
  internal: z.boolean().meta({ description: 'An internal note: staff only, clients never see it' }),
  createdAt: z.string(),
  attachments: z.array(AttachmentView),
});
export type TicketMessageView = z.infer<typeof TicketMessageView>;

export const TicketView = TicketSummary.extend({ messages: z.array(TicketMessageView) });
export type TicketView = z.infer<typeof TicketView>;

export const TicketInput = z.strictObject({
  departmentId: Id.meta({ description: 'A department offered to the client (GET /api/v1/tickets/departments)' }),
  subject: z.string().trim().min(1).max(200),
  body: Body,
  licenseId: Id.optional().meta({ description: "One of the client's licenses the ticket is about" }),
  attachmentIds: AttachmentIds.optional(),
  clientId: Id.optional().meta({ description: "Staff only (tickets.change): open the ticket on this client's behalf" }),
});
export type TicketInput = z.infer<typeof TicketInput>;

export const MessageInput = z.strictObject({
  body: Body,
  attachmentIds: AttachmentIds.optional(),
  internal: z.boolean().optional().meta({ description: 'Staff only: an internal note (changes no status; clients never see it)' }),
  status: z.enum(REPLY_STATUSES).optional().meta({ description: 'Staff only: the status after a public reply (default answered)' }),
});
export type MessageInput = z.infer<typeof MessageInput>;

export const MoveInput = z.strictObject({
  departmentId: Id.meta({ description: 'The department to move the ticket to; its performer is cleared' }),
});
export type MoveInput = z.infer<typeof MoveInput>;

export const UploadQuery = z.object({
  name: z.string().meta({ description: "The file's name (1 to 255 characters)" }),
});
