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
  /** The sender of its clients' e-mails; null: BILLRELAY_MAIL_FROM's address, the provider's name. */
  mailFromName: string | null;
  mailFromAddress: string | null;
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
  /** JSON: local dates "YYYY-MM-DD", sorted. */
  holidays: Generated<string>;
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
  /** When the employee confirmed the address (the link mailed when it was set); null: not yet. */
  emailConfirmedAt: Generated<Timestamp | null>;
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
  /** Working hours until the first answer to a ticket is due. */
  firstAnswerHours: Generated<number>;
  /** Working hours until an answer to a client's later reply is due. */
  nextAnswerHours: Generated<number>;
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

export interface EmployeeRightTable {
  employeeId: number;
  rightName: string;
}

export interface DepartmentRightTable {
  departmentId: number;
  rightName: string;
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

export interface ProcessingModuleTable {
  id: Generated<number>;
  productType: string;
  moduleType: string;
  name: string;
  datacenterId: number | null;
  departmentId: number | null;
  sort: number;
  enabled: Bool;
  operationLimit: number | null;
  /** JSON {url, username}: never the password. */
  connection: string;
  /** The upstream password, sealed by platform/crypto/secrets.ts. */
  passwordSealed: string | null;
  currency: string | null;
  minimalBalanceMinor: bigint;
  balanceMinor: bigint | null;
  balanceCheckedAt: Timestamp | null;
  lastError: string | null;
  lastErrorCode: string | null;
  lastErrorAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ClientTable {
  id: Generated<number>;
  providerId: number;
  email: string;
  name: string;
  passwordHash: string;
  language: string;
  country: string | null;
  /** Contact phone number as the client wrote it (+, digits, spaces, dashes, brackets); null: none given. */
  phone: Generated<string | null>;
  enabled: Bool;
  currency: string;
  balanceMinor: Generated<bigint>;
  creditLimitMinor: Generated<bigint>;
  /** When the client followed the confirmation link mailed at registration; null: not confirmed. */
  emailConfirmedAt: Generated<Timestamp | null>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface LedgerEntryTable {
  id: Generated<number>;
  clientId: number;
  kind: string;
  amountMinor: bigint;
  currency: string;
  balanceAfterMinor: bigint;
  reference: string;
  method: string | null;
  comment: string | null;
  actorKind: string;
  actorId: number | null;
  createdAt: Timestamp;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  requestHash: string;
  statusCode: number | null;
  responseBody: string | null;
  createdAt: Timestamp;
}

export interface TariffTable {
  id: Generated<number>;
  providerId: number;
  productType: string;
  /** JSON localized text. */
  name: string;
  upstreamTariffId: string;
  upstreamName: string;
  currency: string;
  /** 'disabled' | 'enabled' */
  status: string;
  sort: number;
  lastSyncedAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TariffPeriodTable {
  tariffId: number;
  /** Months; -100 trial. */
  period: number;
  priceMinor: bigint;
  /** The upstream period bought for it (the same period unless mapped). */
  upstreamPeriod: number;
  enabled: Bool;
}

export interface TariffUpstreamCostTable {
  tariffId: number;
  months: number;
  costMinor: bigint;
}

export interface TariffModuleTable {
  tariffId: number;
  processingModuleId: number;
}

export interface LicenseTable {
  id: Generated<number>;
  clientId: number;
  tariffId: number;
  /** Months; -100 trial. */
  period: number;
  isTrial: Bool;
  licenseName: string;
  ip: string;
  autoRenew: Bool;
  datacenterId: number | null;
  /** processing | active | suspended | deleted */
  status: string;
  licenseKey: string | null;
  upstreamId: string | null;
  remoteId: string;
  moduleId: number | null;
  /** YYYY-MM-DD, as the upstream states it. */
  expiresOn: string | null;
  priceMinor: bigint;
  currency: string;
  suspendedAt: Timestamp | null;
  /** staff | expiry | upstream; null unless suspended. */
  suspendedBy: Generated<string | null>;
  deletedAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface LicenseHistoryTable {
  id: Generated<number>;
  licenseId: number;
  event: string;
  fromValue: string | null;
  toValue: string | null;
  message: string | null;
  operationId: number | null;
  actorKind: string;
  actorId: number | null;
  actorLabel: string;
  createdAt: Timestamp;
}

export interface OperationTable {
  id: Generated<number>;
  licenseId: number;
  kind: string;
  /** JSON */
  payload: string;
  status: string;
  attempts: number;
  attemptsAtRestart: number;
  nextAttemptAt: Timestamp;
  leaseOwner: string | null;
  leaseExpiresAt: Timestamp | null;
  moduleId: number | null;
  lastError: string | null;
  lastErrorCode: string | null;
  /** JSON */
  result: string | null;
  idempotencyKey: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  finishedAt: Timestamp | null;
}

export interface TaskTable {
  id: Generated<number>;
  departmentId: number | null;
  type: string;
  licenseId: number | null;
  operationId: number | null;
  moduleId: number | null;
  causeKey: string;
  status: string;
  performerId: number | null;
  /** Who gave it its performer (the performer when they took it); null when unknown. */
  assignedById: number | null;
  assignedAt: Timestamp | null;
  dueAt: Timestamp | null;
  locale: string;
  title: string;
  text: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  closedAt: Timestamp | null;
}

export interface SchedulerJobTable {
  name: string;
  nextRunAt: Timestamp;
  lastRunAt: Timestamp | null;
  lastOwner: string | null;
  lastResult: string | null;
}

/** A mailed one-time token (password reset, e-mail confirmation): only its sha256 is stored. */
export interface AuthTokenTable {
  id: Generated<number>;
  tokenHash: string;
  kind: 'password_reset' | 'email_confirmation';
  principalKind: 'employee' | 'client';
  principalId: number;
  /** The address it was mailed to: a token stops working when the address changed since. */
  email: string;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
  createdAt: Timestamp;
}

export interface MessageTable {
  id: Generated<number>;
  /** Unique: the event and the recipient (an event seen twice writes one message). */
  idempotencyKey: string;
  event: string;
  recipientAddress: string;
  recipientName: string | null;
  locale: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  providerId: number | null;
  clientId: number | null;
  employeeId: number | null;
  entityType: string | null;
  entityId: number | null;
  /** pending | sending | sent | failed */
  status: string;
  attempts: number;
  nextAttemptAt: Timestamp;
  leaseOwner: string | null;
  leaseExpiresAt: Timestamp | null;
  lastError: string | null;
  sentAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TicketTable {
  id: Generated<number>;
  clientId: number;
  providerId: number;
  departmentId: number;
  licenseId: number | null;
  subject: string;
  /** new | answered | waiting_for_client | closed */
  status: string;
  performerId: number | null;
  dueAt: Timestamp | null;
  /** When the head of department was told it is overdue; cleared when a new due time starts. */
  overdueNotifiedAt: Timestamp | null;
  lastMessageAt: Timestamp;
  /** client | employee: who wrote the last public message. */
  lastMessageBy: string;
  closedAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** Staff's version of an e-mail (event, locale unique); without one the shipped words are sent. */
export interface MessageTemplateTable {
  id: Generated<number>;
  event: string;
  locale: string;
  subject: string;
  body: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TicketMessageTable {
  id: Generated<number>;
  ticketId: number;
  /** client | employee */
  authorKind: string;
  authorId: number;
  body: string;
  internal: Bool;
  createdAt: Timestamp;
}

export interface TicketAttachmentTable {
  id: Generated<number>;
  /** Null until a message binds the upload. */
  ticketId: number | null;
  messageId: number | null;
  /** client | employee */
  uploaderKind: string;
  uploaderId: number;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The file's name under <dataDir>/attachments. */
  storageKey: string;
  createdAt: Timestamp;
}

export interface ProviderPaymentGatewayTable {
  providerId: number;
  gateway: string;
  enabled: Bool;
  secretKeySealed: string | null;
  /** The last characters of the secret key, to tell keys apart; never the key. */
  secretKeyHint: string | null;
  webhookSecretSealed: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface GatewayPaymentTable {
  id: Generated<number>;
  reference: string;
  gateway: string;
  providerId: number;
  clientId: number;
  amountMinor: bigint;
  currency: string;
  externalId: string | null;
  status: string;
  refundedMinor: Generated<bigint>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface Database {
  localizations: LocalizationTable;
  providers: ProviderTable;
  businessHours: BusinessHoursTable;
  employees: EmployeeTable;
  departments: DepartmentTable;
  departmentProviders: DepartmentProviderTable;
  departmentMembers: DepartmentMemberTable;
  employeeRights: EmployeeRightTable;
  departmentRights: DepartmentRightTable;
  datacenters: DatacenterTable;
  auditLog: AuditLogTable;
  sessions: SessionTable;
  apiTokens: ApiTokenTable;
  loginFailures: LoginFailureTable;
  processingModules: ProcessingModuleTable;
  clients: ClientTable;
  ledgerEntries: LedgerEntryTable;
  idempotencyKeys: IdempotencyKeyTable;
  licenses: LicenseTable;
  licenseHistory: LicenseHistoryTable;
  operations: OperationTable;
  tasks: TaskTable;
  tickets: TicketTable;
  ticketMessages: TicketMessageTable;
  ticketAttachments: TicketAttachmentTable;
  schedulerJobs: SchedulerJobTable;
  messages: MessageTable;
  messageTemplates: MessageTemplateTable;
  authTokens: AuthTokenTable;
  tariffs: TariffTable;
  tariffPeriods: TariffPeriodTable;
  tariffUpstreamCosts: TariffUpstreamCostTable;
  tariffModules: TariffModuleTable;
  providerPaymentGateways: ProviderPaymentGatewayTable;
  gatewayPayments: GatewayPaymentTable;
}
