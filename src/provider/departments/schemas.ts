import { z } from 'zod';
import { PathId } from '../../platform/http/schemas.js';
import { LOCALE_CODE, LocalizedText } from '../../platform/i18n/localized.js';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Sort = z.number().int().min(1).max(1_000_000);

const fields = {
  name: LocalizedText,
  businessHoursId: Id.nullable().meta({ description: 'Working hours that set the deadlines of its tasks and tickets' }),
  showInSupportCenter: z.boolean().meta({ description: 'Clients may address support tickets to it' }),
  taskLocale: z.string().regex(LOCALE_CODE, 'a locale code such as "en" or "pt-BR"')
    .meta({ description: 'Language of the tasks and notifications generated for it; a known localization' }),
  providerIds: z.array(Id).max(1000).meta({ description: 'Providers whose clients see it in the support center' }),
  headEmployeeId: Id.nullable().meta({ description: 'Head of department: one of its members' }),
  ticketCategoryDescription: LocalizedText.nullable().meta({ description: 'Shown to clients choosing a department' }),
  firstAnswerHours: z.number().int().min(1).max(720)
    .meta({ description: "Working hours (the department's business hours) until the first answer to a ticket is due" }),
  nextAnswerHours: z.number().int().min(1).max(720)
    .meta({ description: "Working hours until an answer to a client's later reply is due" }),
  memberIds: z.array(Id).max(10_000).meta({ description: 'Employees in the department (the whole set)' }),
  rights: z.array(z.string().max(100)).max(200)
    .meta({ description: 'Rights every member holds through the department (GET /api/v1/rights lists them). Only administrators change them' }),
  /** Position among departments, lowest first; omitted means last. */
  sort: Sort,
};

export const DepartmentInput = z.strictObject({
  name: fields.name,
  businessHoursId: fields.businessHoursId.default(null),
  showInSupportCenter: fields.showInSupportCenter.default(false),
  /** Omitted means the default localization. */
  taskLocale: fields.taskLocale.optional(),
  providerIds: fields.providerIds.default([]),
  headEmployeeId: fields.headEmployeeId.default(null),
  ticketCategoryDescription: fields.ticketCategoryDescription.default(null),
  firstAnswerHours: fields.firstAnswerHours.default(4),
  nextAnswerHours: fields.nextAnswerHours.default(8),
  memberIds: fields.memberIds.default([]),
  rights: fields.rights.default([]),
  sort: fields.sort.optional(),
});
export type DepartmentInput = z.infer<typeof DepartmentInput>;

export const DepartmentPatch = z.strictObject({
  name: fields.name.optional(),
  businessHoursId: fields.businessHoursId.optional(),
  showInSupportCenter: fields.showInSupportCenter.optional(),
  taskLocale: fields.taskLocale.optional(),
  providerIds: fields.providerIds.optional(),
  headEmployeeId: fields.headEmployeeId.optional(),
  ticketCategoryDescription: fields.ticketCategoryDescription.optional(),
  firstAnswerHours: fields.firstAnswerHours.optional(),
  nextAnswerHours: fields.nextAnswerHours.optional(),
  memberIds: fields.memberIds.optional(),
  rights: fields.rights.optional(),
  sort: fields.sort.optional(),
});
export type DepartmentPatch = z.infer<typeof DepartmentPatch>;

export const DepartmentView = z.object({
  id: z.number().int(),
  name: z.record(z.string(), z.string()),
  /** The name in the caller's language (falling back to the default localization). */
  displayName: z.string(),
  businessHoursId: z.number().int().nullable(),
  showInSupportCenter: z.boolean(),
  taskLocale: z.string(),
  providerIds: z.array(z.number().int()),
  headEmployeeId: z.number().int().nullable(),
  ticketCategoryDescription: z.record(z.string(), z.string()).nullable(),
  displayTicketCategoryDescription: z.string().nullable(),
  firstAnswerHours: z.number().int(),
  nextAnswerHours: z.number().int(),
  memberIds: z.array(z.number().int()),
  rights: z.array(z.string()).meta({ description: 'Rights the department gives its members, sorted' }),
  sort: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DepartmentView = z.infer<typeof DepartmentView>;

export const MemberInput = z.strictObject({ employeeId: Id });
export type MemberInput = z.infer<typeof MemberInput>;

export const MemberParams = z.object({ id: PathId, employeeId: PathId });

export const MemberView = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  isHead: z.boolean(),
});
export type MemberView = z.infer<typeof MemberView>;
