import type { TaskType } from '../../licenses/model.js';

/** A reason for a person to act; the tasks area turns it into one task per cause. */
export interface TaskCause {
  type: TaskType;
  /** "operation:12", "low_balance:3", "drift:orphan:3:5512": one open task per cause. */
  causeKey: string;
  departmentId: number | null;
  licenseId?: number | null;
  operationId?: number | null;
  moduleId?: number | null;
  /** Message parameters for the title and text in the department's task language. */
  params: Record<string, string | number | null>;
}
