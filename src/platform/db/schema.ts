// The database as Kysely sees it (camelCase; columns are snake_case in SQL).
// Booleans are stored as 0/1 integers and JSON as text on both databases, so one query layer serves both.
import type { Generated } from 'kysely';

type Bool = number;
type Timestamp = string;

export interface LocalizationTable {
  code: string;
  name: string;
  enabled: Bool;
  isDefault: Bool;
  createdAt: Timestamp;
}

export interface ProviderTable {
  id: Generated<number>;
  name: string;
  currency: string;
  notificationEmail: string | null;
  supportEmail: string | null;
  websiteUrl: string | null;
  isDefault: Bool;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface BusinessHoursTable {
  id: Generated<number>;
  name: string;
  timeZone: string;
  /** JSON: seven WeekDay entries, Monday first. */
  days: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface EmployeeTable {
  id: Generated<number>;
  email: string;
  name: string;
  passwordHash: string;
  language: string;
  isAdmin: Bool;
  enabled: Bool;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface DepartmentTable {
  id: Generated<number>;
  /** JSON localized text. */
  name: string;
  businessHoursId: number | null;
  showInSupportCenter: Bool;
  taskLocale: string;
  headEmployeeId: number | null;
  ticketCategoryDescription: string | null;
  sort: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface DepartmentProviderTable {
  departmentId: number;
  providerId: number;
}

export interface DepartmentMemberTable {
  departmentId: number;
  employeeId: number;
}

export interface DatacenterTable {
  id: Generated<number>;
  name: string;
  externalId: string | null;
  sort: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  actorKind: string;
  actorId: number | null;
  actorLabel: string;
  action: string;
  entity: string;
  entityId: string | null;
  before: string | null;
  after: string | null;
  createdAt: Timestamp;
}

export interface SessionTable {
  /** sha256 of the cookie value: a database leak does not leak sessions. */
  idHash: string;
  principalKind: string;
  principalId: number;
  csrfToken: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  impersonatorId: number | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  employeeId: number;
  name: string;
  tokenHash: string;
  createdAt: Timestamp;
  lastUsedAt: Timestamp | null;
}

export interface LoginFailureTable {
  id: Generated<number>;
  email: string;
  ip: string;
  createdAt: Timestamp;
}

export interface Database {
  localizations: LocalizationTable;
  providers: ProviderTable;
  businessHours: BusinessHoursTable;
  employees: EmployeeTable;
  departments: DepartmentTable;
  departmentProviders: DepartmentProviderTable;
  departmentMembers: DepartmentMemberTable;
  datacenters: DatacenterTable;
  auditLog: AuditLogTable;
  sessions: SessionTable;
  apiTokens: ApiTokenTable;
  loginFailures: LoginFailureTable;
}
