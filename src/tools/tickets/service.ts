// The support center: a client opens a ticket to a department offered to their provider; the
// department's members (and administrators) see it, take it, answer it, write internal notes, move it
// to another department and close it. A ticket waiting for staff (status new) is due after the
// department's working hours (first answer, then answers to the client's later replies); one past
// its due time is overdue and its head of department (without one, its performer or members) is told
// once per overdue stretch. Clients see only their own tickets and never the internal notes; anyone
// else gets the same 404 as for a ticket that does not exist. E-mails are written in the same
// transaction as the change that causes them.
import type { Readable } from 'node:stream';
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import { hasRight } from '../../platform/auth/rights.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import type { Page } from '../../platform/db/paging.js';
import { AppError, appError, notFound } from '../../platform/errors.js';
import type { MessageRef } from '../../platform/i18n/messages.js';
import { pickLocalized, type LocaleCatalog, type LocalizedText } from '../../platform/i18n/localized.js';
import type { BusinessHoursService } from '../../provider/business-hours/service.js';
import { departmentScopeOf, inDepartmentScope } from '../../provider/departments/scope.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import { enqueueClientMessage, enqueueEmployeeMessage } from '../messages/outbox.js';
import type { MessageEvent } from '../messages/templates/index.js';
import { AttachmentStore, baseType, isAllowedType, sizeWords, ATTACHMENT_TYPES } from './attachments.js';
import { TicketRepository, type AttachmentRow, type TicketFilter, type TicketInsert, type TicketRow } from './repository.js';
import type {
  AttachmentView,
  AuthorKind,
  MessageInput,
  SupportDepartmentsQuery,
  TicketInput,
  TicketListQuery,
  TicketStatus,
  TicketSummary,
  TicketView,
} from './schemas.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Department = NonNullable<Awaited<ReturnType<TicketRepository['department']>>>;

export class TicketService {
  private readonly repo = new TicketRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
    private readonly businessHours: BusinessHoursService,
    readonly files: AttachmentStore,
  ) {}

  // ---- departments a client may write to ---------------------------------------------------------

  /**
   * Departments shown in the client's support center (showInSupportCenter, offered to their provider),
   * in order; staff naming no client get every department shown in the support center.
   */
  async supportDepartments(q: SupportDepartmentsQuery, actor: Actor) {
    const clientId = actor.kind === 'client' ? actor.id : q.clientId;
    let providerId: number | null = null;
    if (clientId !== undefined) {
      const client = await this.repo.client(this.db.kysely, clientId);
      if (!client) throw new AppError('not_found', `Client ${clientId} does not exist`, { field: 'clientId', key: 'notFound', params: { what: { key: 'entity.Client' }, id: clientId } });
      providerId = Number(client.providerId);
    }
    const [rows, catalog] = await Promise.all([this.repo.supportDepartments(this.db.kysely, providerId), this.locales.catalog()]);
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        name: pickLocalized(JSON.parse(r.name) as LocalizedText, actor.locale, catalog),
        description: r.ticketCategoryDescription === null ? null : pickLocalized(JSON.parse(r.ticketCategoryDescription) as LocalizedText, actor.locale, catalog),
        sort: r.sort,
      })),
    };
  }

  // ---- reading -------------------------------------------------------------------------------------

  async list(q: TicketListQuery, actor: Actor): Promise<Page<TicketSummary>> {
    const filter = await this.filterOf(q, actor);
    const [rows, total, catalog] = await Promise.all([
      this.repo.list(this.db.kysely, filter, q),
      this.repo.count(this.db.kysely, filter),
      this.locales.catalog(),
    ]);
    return { items: await this.summaries(this.db.kysely, rows, actor, catalog), total, page: q.page, perPage: q.perPage };
  }

  async get(id: number, actor: Actor): Promise<TicketView> {
    const row = await this.visible(this.db.kysely, id, actor);
    return this.viewOf(this.db.kysely, row, actor);
  }

  // ---- changes -------------------------------------------------------------------------------------

  async create(input: TicketInput, actor: Actor): Promise<TicketView> {
    const author = authorOf(actor);
    if (actor.kind === 'client' && input.clientId !== undefined && input.clientId !== actor.id) {
      throw appError('forbidden', 'ticket.clientIdStaffOnly', {}, { field: 'clientId' });
    }
    const clientId = actor.kind === 'client' ? actor.id : input.clientId;
    if (clientId === undefined) throw appError('validation', 'ticket.whichClient', {}, { field: 'clientId' });
    return this.db.transaction(async (trx) => {
      const client = await this.repo.client(trx, clientId);
      if (!client) throw new AppError('unprocessable', `clientId: client ${clientId} does not exist`, { field: 'clientId', key: 'notFound', params: { what: { key: 'entity.Client' }, id: clientId } });
      const providerId = Number(client.providerId);
      if (!(await this.repo.offersTo(trx, input.departmentId, providerId))) {
        throw appError('unprocessable', 'ticket.departmentNotOffered', { id: input.departmentId }, { field: 'departmentId' });
      }
      if (input.licenseId !== undefined) {
        const license = await this.repo.license(trx, input.licenseId);
        if (!license || Number(license.clientId) !== clientId) {
          throw appError('unprocessable', 'ticket.licenseNotClients', { id: input.licenseId }, { field: 'licenseId' });
        }
      }
      const department = (await this.repo.department(trx, input.departmentId))!;
      const now = this.clock.now();
      const at = now.toISOString();
      const dueAt = await this.dueFrom(trx, department, now, department.firstAnswerHours);
      const id = await this.repo.insert(trx, {
        clientId,
        providerId,
        departmentId: input.departmentId,
        licenseId: input.licenseId ?? null,
        subject: input.subject,
        status: 'new',
        performerId: null,
        dueAt,
        overdueNotifiedAt: null,
        lastMessageAt: at,
        lastMessageBy: author.kind,
        closedAt: null,
        createdAt: at,
        updatedAt: at,
      });
      const messageId = await this.repo.insertMessage(trx, { ticketId: id, authorKind: author.kind, authorId: author.id, body: input.body, internal: 0, createdAt: at });
      await this.bind(trx, input.attachmentIds, author, id, messageId);
      const row = (await this.repo.find(trx, id))!;
      await this.tellStaff(trx, 'ticket_new', row, input.body, `ticket_new:${id}`, actor);
      const view = await this.viewOf(trx, row, actor);
      await this.audit.record(trx, actor, 'ticket.create', 'ticket', id, null, { subject: row.subject, clientId, departmentId: row.departmentId, licenseId: row.licenseId, messageId });
      return view;
    });
  }

  /**
   * A message in the ticket. The client's reply makes it wait for staff again (new, due after the
   * department's hours for later replies); a staff public reply leaves it answered (or the status
   * chosen) with nothing due; an internal note changes no status and is never shown to the client.
   */
  async addMessage(id: number, input: MessageInput, actor: Actor): Promise<TicketView> {
    const author = authorOf(actor);
    if (actor.kind === 'client') {
      if (input.internal !== undefined) throw appError('forbidden', 'ticket.staffOnly', { field: 'internal' }, { field: 'internal' });
      if (input.status !== undefined) throw appError('forbidden', 'ticket.staffOnly', { field: 'status' }, { field: 'status' });
    }
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      const now = this.clock.now();
      const at = now.toISOString();
      const internal = actor.kind === 'employee' && input.internal === true;
      const messageId = await this.repo.insertMessage(trx, { ticketId: id, authorKind: author.kind, authorId: author.id, body: input.body, internal: internal ? 1 : 0, createdAt: at });
      await this.bind(trx, input.attachmentIds, author, id, messageId);
      let patch: Partial<TicketInsert>;
      if (internal) {
        patch = { updatedAt: at };
      } else if (actor.kind === 'client') {
        const department = (await this.repo.department(trx, Number(row.departmentId)))!;
        patch = {
          status: 'new',
          dueAt: await this.dueFrom(trx, department, now, department.nextAnswerHours),
          overdueNotifiedAt: null,
          closedAt: null,
          lastMessageAt: at,
          lastMessageBy: 'client',
          updatedAt: at,
        };
      } else {
        const status = input.status ?? 'answered';
        patch = {
          status,
          dueAt: null,
          overdueNotifiedAt: null,
          closedAt: status === 'closed' ? (row.closedAt ?? at) : null,
          // Whoever answers a ticket nobody had taken works it from now on.
          performerId: row.performerId ?? author.id,
          lastMessageAt: at,
          lastMessageBy: 'employee',
          updatedAt: at,
        };
      }
      await this.repo.update(trx, id, patch);
      const after = (await this.repo.find(trx, id))!;
      if (!internal && actor.kind === 'client') {
        await this.tellStaff(trx, 'ticket_reply', after, input.body, `ticket_reply:${messageId}`, actor);
      } else if (!internal) {
        await enqueueClientMessage(trx, now, {
          clientId: Number(after.clientId),
          event: 'ticket_answered',
          eventKey: `ticket_answered:${messageId}`,
          values: { ticketId: String(id), subject: after.subject, body: input.body },
          entityType: 'ticket',
          entityId: id,
        });
      }
      await this.audit.record(trx, actor, internal ? 'ticket.note' : 'ticket.message', 'ticket', id, { status: row.status }, { status: after.status, messageId });
      return this.viewOf(trx, after, actor);
    });
  }

  /** The caller works the ticket from now on (whoever had it before). */
  async take(id: number, actor: Actor): Promise<TicketView> {
    if (actor.kind !== 'employee') throw appError('forbidden', 'ticket.employeesTake');
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      const at = this.clock.now().toISOString();
      await this.repo.update(trx, id, { performerId: actor.id, updatedAt: at });
      await this.audit.record(trx, actor, 'ticket.take', 'ticket', id, { performerId: row.performerId }, { performerId: actor.id });
      return this.viewOf(trx, (await this.repo.find(trx, id))!, actor);
    });
  }

  /**
   * Hands the ticket to another department: nobody works it there yet; a ticket waiting for staff is
   * due after the new department's hours from now, and its members are told.
   */
  async move(id: number, departmentId: number, actor: Actor): Promise<TicketView> {
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      const department = await this.repo.department(trx, departmentId);
      if (!department) throw appError('unprocessable', 'ticket.noDepartment', { id: departmentId }, { field: 'departmentId' });
      if (Number(row.departmentId) === departmentId) return this.viewOf(trx, row, actor);
      const now = this.clock.now();
      const at = now.toISOString();
      const patch: Partial<TicketInsert> = { departmentId, performerId: null, updatedAt: at };
      if (row.status === 'new') {
        const hours = (await this.repo.hasStaffAnswer(trx, id)) ? department.nextAnswerHours : department.firstAnswerHours;
        patch.dueAt = await this.dueFrom(trx, department, now, hours);
        patch.overdueNotifiedAt = null;
      }
      await this.repo.update(trx, id, patch);
      const after = (await this.repo.find(trx, id))!;
      if (after.status !== 'closed') {
        const [last] = (await this.repo.messages(trx, id, false)).slice(-1);
        await this.tellStaff(trx, 'ticket_new', after, last?.body ?? '', `ticket_moved:${id}:${departmentId}:${at}`, actor);
      }
      await this.audit.record(trx, actor, 'ticket.move', 'ticket', id, { departmentId: row.departmentId, performerId: row.performerId }, { departmentId, performerId: null });
      return this.viewOf(trx, after, actor);
    });
  }

  /** Closes the ticket (the client owning it, or staff); a closed ticket stays closed. */
  async close(id: number, actor: Actor): Promise<TicketView> {
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      if (row.status === 'closed') return this.viewOf(trx, row, actor);
      const at = this.clock.now().toISOString();
      await this.repo.update(trx, id, { status: 'closed', dueAt: null, overdueNotifiedAt: null, closedAt: at, updatedAt: at });
      await this.audit.record(trx, actor, 'ticket.close', 'ticket', id, { status: row.status }, { status: 'closed' });
      return this.viewOf(trx, (await this.repo.find(trx, id))!, actor);
    });
  }

  // ---- attachments ---------------------------------------------------------------------------------

  /** Stores an upload of the caller; it waits for a message of theirs to bind it. */
  async upload(content: Buffer | undefined, contentType: string | undefined, fileName: string, actor: Actor): Promise<AttachmentView> {
    const author = authorOf(actor);
    const type = baseType(contentType);
    if (!isAllowedType(type)) throw this.unsupportedType(type);
    const name = fileName.trim().replace(/[\\/]/g, '_');
    if (!name || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) throw appError('validation', 'attachment.name', {}, { field: 'name' });
    if (!content || content.length === 0) throw appError('validation', 'attachment.empty', {}, { field: 'file' });
    if (content.length > this.files.maxBytes) throw this.tooLarge();
    const stored = await this.files.save(content);
    try {
      const id = await this.repo.insertAttachment(this.db.kysely, {
        ticketId: null,
        messageId: null,
        uploaderKind: author.kind,
        uploaderId: author.id,
        fileName: name,
        contentType: type,
        size: content.length,
        sha256: stored.sha256,
        storageKey: stored.storageKey,
        createdAt: this.clock.now().toISOString(),
      });
      return { id, fileName: name, contentType: type, size: content.length };
    } catch (error) {
      await this.files.remove(stored.storageKey);
      throw error;
    }
  }

  /** The 415 naming the type and the types accepted. */
  unsupportedType(type: string): AppError {
    return appError('unsupported_media_type', 'attachment.type', { type: type || '(none)', allowed: ATTACHMENT_TYPES.join(', ') }, { field: 'Content-Type', details: { allowed: [...ATTACHMENT_TYPES] } });
  }

  /** The 413 naming the limit. */
  tooLarge(): AppError {
    return appError('payload_too_large', 'attachment.tooLarge', { limit: sizeWords(this.files.maxBytes) }, { field: 'file', details: { maxBytes: this.files.maxBytes } });
  }

  /** A file, to its uploader before it is attached, then to whoever may read its message; others 404. */
  async download(id: number, actor: Actor): Promise<{ attachment: AttachmentView; stream: Readable }> {
    const row = await this.repo.findAttachment(this.db.kysely, id);
    if (!row || !(await this.mayRead(row, actor))) throw notFound('Attachment', id);
    // A file lost from the disk (restored backup without the data directory) is gone, not a 500.
    if (!(await this.files.exists(row.storageKey))) throw notFound('Attachment', id);
    return { attachment: attachmentView(row), stream: this.files.open(row.storageKey) };
  }

  // ---- scheduled work ------------------------------------------------------------------------------

  /**
   * Tells the head of department, once per overdue stretch, about each ticket waiting for staff past
   * its due time (a new due time, after a reply or a move, starts a new stretch). A department without
   * an enabled head is not left unaware: those the ticket concerns hear instead (its performer, or its
   * members while nobody works it), as for an overdue task.
   */
  async notifyOverdue(limit = 500): Promise<{ overdue: number; told: number }> {
    const now = this.clock.now();
    const rows = await this.repo.overdueUntold(this.db.kysely, now.toISOString(), limit);
    let told = 0;
    for (const row of rows) {
      await this.db.transaction(async (trx) => {
        if (!(await this.repo.markOverdueNotified(trx, row.id, row.dueAt!, now.toISOString()))) return;
        const department = await this.repo.department(trx, Number(row.departmentId));
        if (!department) return;
        const head = department.headEmployeeId === null ? undefined : await this.repo.employee(trx, Number(department.headEmployeeId));
        const performer = row.performerId === null ? undefined : await this.repo.employee(trx, Number(row.performerId));
        const recipients = head?.enabled ? [head] : await this.concerned(trx, row, performer);
        if (!recipients.length) return;
        const values = await this.ticketValues(trx, row, department);
        let sent = false;
        for (const employee of recipients) {
          const written = await enqueueEmployeeMessage(trx, now, {
            employeeId: Number(employee.id),
            locale: department.taskLocale,
            event: 'ticket_overdue',
            eventKey: `ticket_overdue:${row.id}:${row.dueAt}`,
            values: { ...values, performer: performer?.name ?? '—' },
            providerId: Number(row.providerId),
            entityType: 'ticket',
            entityId: row.id,
          });
          sent ||= written;
        }
        if (sent) told += 1;
      });
    }
    return { overdue: rows.length, told };
  }

  /** Deletes uploads no message took within a day (the row, then the file). */
  async deleteUnboundUploads(olderThanMs = DAY_MS, limit = 1000): Promise<{ deleted: number }> {
    const before = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    const rows = await this.repo.unboundBefore(this.db.kysely, before, limit);
    let deleted = 0;
    for (const row of rows) {
      if (!(await this.repo.deleteUnbound(this.db.kysely, row.id))) continue;
      await this.files.remove(row.storageKey);
      deleted += 1;
    }
    return { deleted };
  }

  // ---- what other areas ask ------------------------------------------------------------------------

  async usedByDepartment(db: Executor, departmentId: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countForDepartment(db, departmentId);
    return n ? { key: 'uses.tickets', params: { count: n } } : undefined;
  }

  async usedByEmployee(db: Executor, employeeId: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countForEmployee(db, employeeId);
    return n ? { key: 'uses.tickets', params: { count: n } } : undefined;
  }

  // ---- rules ---------------------------------------------------------------------------------------

  private async filterOf(q: TicketListQuery, actor: Actor): Promise<TicketFilter> {
    const now = this.clock.now().toISOString();
    const common = {
      status: q.status,
      departmentId: q.departmentId,
      overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
      q: q.q,
      now,
    };
    if (actor.kind === 'client') return { ...common, clientId: actor.id };
    const scope = await departmentScopeOf(this.db.kysely, actor, 'tickets');
    const performerId = q.performer === undefined ? undefined : q.performer === 'none' ? null : q.performer === 'me' ? (actor.id ?? -1) : Number(q.performer);
    return { ...common, scope, clientId: q.clientId, performerId };
  }

  /** The ticket, if the actor may see it; otherwise the same 404 as for a ticket that does not exist. */
  private async visible(db: Executor, id: number, actor: Actor): Promise<TicketRow> {
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Ticket', id);
    if (actor.kind === 'client') {
      if (Number(row.clientId) !== actor.id) throw notFound('Ticket', id);
      return row;
    }
    const scope = await departmentScopeOf(db, actor, 'tickets');
    if (!inDepartmentScope(scope, Number(row.departmentId))) throw notFound('Ticket', id);
    return row;
  }

  private async mayRead(row: AttachmentRow, actor: Actor): Promise<boolean> {
    if (row.ticketId === null || row.messageId === null) {
      return (actor.kind === 'client' || actor.kind === 'employee') && row.uploaderKind === actor.kind && Number(row.uploaderId) === actor.id;
    }
    if (actor.kind === 'employee' && !hasRight(actor, 'tickets.read')) return false;
    try {
      await this.visible(this.db.kysely, Number(row.ticketId), actor);
    } catch (error) {
      if (error instanceof AppError) return false;
      throw error;
    }
    if (actor.kind !== 'client') return true;
    const message = await this.db.kysely.selectFrom('ticketMessages').select('internal').where('id', '=', Number(row.messageId)).executeTakeFirst();
    return !!message && !message.internal;
  }

  private async bind(trx: Executor, ids: number[] | undefined, author: { kind: AuthorKind; id: number }, ticketId: number, messageId: number): Promise<void> {
    if (!ids?.length) return;
    const missing = await this.repo.bindAttachments(trx, [...new Set(ids)], author, ticketId, messageId);
    if (missing.length) throw appError('unprocessable', 'ticket.attachmentNotYours', { id: missing[0]! }, { field: 'attachmentIds', details: { attachmentIds: missing } });
  }

  /** Due `hours` working hours after `from` under the department's schedule (round the clock without one). */
  private async dueFrom(db: Executor, department: Department, from: Date, hours: number): Promise<string> {
    const due = department.businessHoursId
      ? await this.businessHours.dueAt(Number(department.businessHoursId), from, hours, db)
      : new Date(from.getTime() + hours * HOUR_MS);
    return due.toISOString();
  }

  /** Tells the performer (or, while nobody works it, the department's members) about a client's ticket or reply. */
  private async tellStaff(trx: Executor, event: MessageEvent, row: TicketRow, body: string, eventKey: string, actor: Actor): Promise<void> {
    const department = (await this.repo.department(trx, Number(row.departmentId)))!;
    const performer = row.performerId === null ? undefined : await this.repo.employee(trx, Number(row.performerId));
    const recipients = await this.concerned(trx, row, performer);
    const values = await this.ticketValues(trx, row, department);
    const now = this.clock.now();
    for (const employee of recipients) {
      // Nobody is mailed about what they did themselves.
      if (actor.kind === 'employee' && Number(employee.id) === actor.id) continue;
      await enqueueEmployeeMessage(trx, now, {
        employeeId: Number(employee.id),
        locale: department.taskLocale,
        event,
        eventKey,
        values: { ...values, body },
        providerId: Number(row.providerId),
        entityType: 'ticket',
        entityId: row.id,
      });
    }
  }

  /** Those a ticket concerns: its performer (while enabled), else its department's enabled members. */
  private async concerned(trx: Executor, row: TicketRow, performer: { id: number; name: string; email: string; enabled: number } | undefined) {
    return performer && performer.enabled ? [performer] : this.repo.members(trx, Number(row.departmentId));
  }

  /** The ticket as e-mails to staff name it, in the department's task language. */
  private async ticketValues(db: Executor, row: TicketRow, department: Department): Promise<Record<string, string>> {
    const [client, provider, catalog] = await Promise.all([
      this.repo.client(db, Number(row.clientId)),
      this.repo.providerName(db, Number(row.providerId)),
      this.locales.catalog(db === this.db.kysely ? undefined : db),
    ]);
    return {
      ticketId: String(row.id),
      subject: row.subject,
      client: client ? `${client.name} <${client.email}>` : `#${row.clientId}`,
      department: pickLocalized(JSON.parse(department.name) as LocalizedText, department.taskLocale, catalog),
      dueAt: row.dueAt ? dueWords(row.dueAt) : '—',
      provider: provider?.name ?? '',
    };
  }

  // ---- views ---------------------------------------------------------------------------------------

  private async viewOf(db: Executor, row: TicketRow, actor: Actor): Promise<TicketView> {
    const catalog = await this.locales.catalog(db === this.db.kysely ? undefined : db);
    const [summary] = await this.summaries(db, [row], actor, catalog);
    const messages = await this.repo.messages(db, row.id, actor.kind !== 'client');
    const attachments = await this.repo.attachmentsOf(db, messages.map((m) => m.id));
    const [clients, employees] = await Promise.all([
      this.repo.names(db, 'clients', messages.filter((m) => m.authorKind === 'client').map((m) => Number(m.authorId))),
      this.repo.names(db, 'employees', messages.filter((m) => m.authorKind === 'employee').map((m) => Number(m.authorId))),
    ]);
    return {
      ...summary!,
      messages: messages.map((m) => ({
        id: Number(m.id),
        authorKind: m.authorKind as AuthorKind,
        authorId: Number(m.authorId),
        authorName: (m.authorKind === 'client' ? clients : employees).get(Number(m.authorId)) ?? '',
        body: m.body,
        internal: !!m.internal,
        createdAt: m.createdAt,
        attachments: attachments.filter((a) => Number(a.messageId) === Number(m.id)).map(attachmentView),
      })),
    };
  }

  private async summaries(db: Executor, rows: TicketRow[], actor: Actor, catalog: LocaleCatalog): Promise<TicketSummary[]> {
    const [clients, departments, employees, licenses] = await Promise.all([
      this.repo.names(db, 'clients', rows.map((r) => Number(r.clientId))),
      this.repo.names(db, 'departments', rows.map((r) => Number(r.departmentId))),
      this.repo.names(db, 'employees', rows.filter((r) => r.performerId !== null).map((r) => Number(r.performerId))),
      this.repo.names(db, 'licenses', rows.filter((r) => r.licenseId !== null).map((r) => Number(r.licenseId))),
    ]);
    const now = this.clock.now().toISOString();
    return rows.map((r) => {
      const department = departments.get(Number(r.departmentId));
      return {
        id: Number(r.id),
        subject: r.subject,
        status: r.status as TicketStatus,
        overdue: isOverdue(r, now),
        clientId: Number(r.clientId),
        clientName: clients.get(Number(r.clientId)) ?? '',
        departmentId: Number(r.departmentId),
        departmentName: department === undefined ? '' : pickLocalized(JSON.parse(department) as LocalizedText, actor.locale, catalog),
        performerId: r.performerId === null ? null : Number(r.performerId),
        performerName: r.performerId === null ? null : (employees.get(Number(r.performerId)) ?? null),
        licenseId: r.licenseId === null ? null : Number(r.licenseId),
        licenseName: r.licenseId === null ? null : (licenses.get(Number(r.licenseId)) ?? null),
        dueAt: r.dueAt,
        lastMessageAt: r.lastMessageAt,
        lastMessageBy: r.lastMessageBy as AuthorKind,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      };
    });
  }
}

export function isOverdue(row: { status: string; dueAt: string | null }, now: string): boolean {
  return row.status === 'new' && row.dueAt !== null && row.dueAt < now;
}

function authorOf(actor: Actor): { kind: AuthorKind; id: number } {
  if (actor.kind === 'client' || actor.kind === 'employee') return { kind: actor.kind, id: actor.id };
  throw appError('unauthorized', 'auth.required');
}

function attachmentView(row: AttachmentRow): AttachmentView {
  return { id: Number(row.id), fileName: row.fileName, contentType: row.contentType, size: Number(row.size) };
}

/** "2026-03-02 13:00 UTC". */
function dueWords(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
