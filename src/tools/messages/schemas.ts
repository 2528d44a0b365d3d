import { z } from 'zod';
import { PageQuery } from '../../platform/db/paging.js';
import { MESSAGE_EVENTS } from './templates/index.js';

export const MESSAGE_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;

export const MessageListQuery = PageQuery.extend({
  status: z.enum(MESSAGE_STATUSES).optional(),
  recipient: z.string().trim().min(1).max(254).optional().meta({ description: 'Part of the recipient address (any case)', example: 'example.com' }),
  clientId: z.coerce.number().int().positive().optional(),
});
export type MessageListQuery = z.infer<typeof MessageListQuery>;

export const MessageSummary = z.object({
  id: z.number().int(),
  event: z.enum(MESSAGE_EVENTS),
  recipientAddress: z.string(),
  recipientName: z.string().nullable(),
  locale: z.string(),
  subject: z.string(),
  status: z.enum(MESSAGE_STATUSES).meta({ description: 'pending (waits, also while no SMTP is configured), sending, sent, failed (given up, or outcome unknown: a person looks)' }),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  clientId: z.number().int().nullable(),
  employeeId: z.number().int().nullable(),
  providerId: z.number().int().nullable(),
  entityType: z.string().nullable(),
  entityId: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MessageSummary = z.infer<typeof MessageSummary>;

export const MessageView = MessageSummary.extend({
  text: z.string(),
  html: z.string().meta({ description: 'The HTML version as sent; every value in it is escaped' }),
});
export type MessageView = z.infer<typeof MessageView>;

export const MessageList = z.object({
  items: z.array(MessageSummary),
  total: z.number().int(),
  page: z.number().int(),
  perPage: z.number().int(),
  /** False when BILLRELAY_SMTP_URL is not set: nothing is sent, messages wait here. */
  smtpConfigured: z.boolean(),
});
