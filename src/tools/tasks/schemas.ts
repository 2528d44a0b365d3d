import { z } from 'zod';
import { PageQuery } from '../../platform/db/paging.js';
import { OPERATION_KINDS, OPERATION_STATUSES, TASK_STATUSES, TASK_TYPES } from '../../licenses/model.js';

const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const TaskListQuery = PageQuery.extend({
  status: z.enum([...TASK_STATUSES, 'open']).optional().meta({ description: '"open" means new or in progress' }),
  type: z.enum(TASK_TYPES).optional(),
  departmentId: Id.optional(),
  licenseId: Id.optional(),
});
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TaskPatch = z
  .strictObject({
    status: z.enum(TASK_STATUSES).optional(),
    performerId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().optional()
      .meta({ description: 'An employee of the task\'s department; null clears it' }),
  })
  .refine((v) => v.status !== undefined || v.performerId !== undefined, { message: 'give status, performerId or both', path: ['status'] });
export type TaskPatch = z.infer<typeof TaskPatch>;

const Ref = z.object({ id: z.number().int(), displayName: z.string() }).nullable();

export const TaskView = z.object({
  id: z.number().int(),
  type: z.enum(TASK_TYPES),
  status: z.enum(TASK_STATUSES),
  departmentId: z.number().int().nullable(),
  department: Ref,
  licenseId: z.number().int().nullable(),
  operationId: z.number().int().nullable(),
  operation: z
    .object({ id: z.number().int(), kind: z.enum(OPERATION_KINDS), status: z.enum(OPERATION_STATUSES) })
    .nullable()
    .meta({ description: 'The operation the task is about, as it stands now; the task can be done once it is no longer pending, running or manual' }),
  moduleId: z.number().int().nullable(),
  causeKey: z.string(),
  performerId: z.number().int().nullable(),
  performer: Ref.meta({ description: 'The employee who works the task' }),
  assignedBy: Ref.meta({ description: 'Who made them the performer: the performer themself when they took it, else the member who assigned it' }),
  assignedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  locale: z.string(),
  title: z.string(),
  text: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
});
export type TaskView = z.infer<typeof TaskView>;

export const AssignInput = z.strictObject({
  employeeId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).meta({ description: "A member of the task's department" }),
});
export type AssignInput = z.infer<typeof AssignInput>;

export const RestartView = z.object({ task: TaskView, operation: z.unknown() });
