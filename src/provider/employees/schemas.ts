import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../platform/crypto/passwords.js';
import { LOCALE_CODE } from '../../platform/i18n/localized.js';

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Email = z.string().trim().toLowerCase().pipe(z.email().max(254)).meta({ description: 'Unique, case-insensitive; stored lowercased' });
const Name = z.string().trim().min(1).max(200);
const Password = z.string().min(MIN_PASSWORD_LENGTH).max(1024).meta({ description: `At least ${MIN_PASSWORD_LENGTH} characters; never returned` });
const Language = z.string().regex(LOCALE_CODE, 'a locale code such as "en" or "pt-BR"').meta({ description: 'A known localization code' });
const DepartmentIds = z.array(Id).max(1000).meta({ description: 'Departments the employee is a member of' });
const Rights = z.array(z.string().max(100)).max(200)
  .meta({ description: 'Rights given directly (GET /api/v1/rights lists them); departments give more. Only administrators change them' });

export const EmployeeInput = z.strictObject({
  email: Email,
  name: Name,
  password: Password,
  /** Omitted means the default localization. */
  language: Language.optional(),
  isAdmin: z.boolean().default(false),
  enabled: z.boolean().default(true),
  departmentIds: DepartmentIds.default([]),
  rights: Rights.default([]),
});
export type EmployeeInput = z.infer<typeof EmployeeInput>;

/** Disabling an employee or giving a new password ends the employee's sessions. */
export const EmployeePatch = z.strictObject({
  email: Email.optional(),
  name: Name.optional(),
  password: Password.optional(),
  /** Needed when employees change their own password. */
  currentPassword: z.string().max(1024).optional().meta({ description: 'Needed to change your own password' }),
  language: Language.optional(),
  isAdmin: z.boolean().optional(),
  enabled: z.boolean().optional(),
  /** The whole membership: departments left out are left. */
  departmentIds: DepartmentIds.optional(),
  /** The whole set of direct rights. */
  rights: Rights.optional(),
});
export type EmployeePatch = z.infer<typeof EmployeePatch>;

export const EmployeeView = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  language: z.string(),
  isAdmin: z.boolean(),
  enabled: z.boolean(),
  emailConfirmed: z.boolean().meta({ description: 'Whether the employee opened the link mailed to the current address (sent when the employee is created and when the address changes)' }),
  departmentIds: z.array(z.number().int()),
  rights: z.array(z.string()).meta({ description: 'Rights given directly, sorted (not those from departments)' }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EmployeeView = z.infer<typeof EmployeeView>;
