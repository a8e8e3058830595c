import * as vscode from 'vscode';
import { RANGE_LABELS, type TimeRange } from '../settings';
import { ModelNode, StageNode, WorkflowNode } from '../views/statsNodes';

/** What a command acts on: a workflow, or one of its stages. */
export interface CommandTarget {
  workflow: string;
  /** Null for the whole workflow. */
  stage: string | null;
}

/**
 * The one reading of a command's arguments, whoever calls it: a tree row (workflow, stage or model),
 * `{ workflow, stage }` (a Markdown link, the API), or `workflow, stage` as strings (the palette's
 * callers, tests). Undefined when the arguments name nothing: the command asks, or uses the context.
 */
export function commandTarget(args: readonly unknown[]): CommandTarget | undefined {
  const [first, second] = args;
  if (first instanceof StageNode) return { workflow: first.stage.workflow, stage: first.stage.stage };
  if (first instanceof ModelNode) return { workflow: first.stage.workflow, stage: first.stage.stage };
  if (first instanceof WorkflowNode) return { workflow: first.workflow.workflow, stage: null };
  if (typeof first === 'string') return { workflow: first, stage: typeof second === 'string' ? second : null };
  if (typeof first === 'object' && first !== null && typeof (first as { workflow?: unknown }).workflow === 'string') {
    const { workflow, stage } = first as { workflow: string; stage?: unknown };
    return { workflow, stage: typeof stage === 'string' ? stage : null };
  }
  return undefined;
}

/** The target when it is a stage (a workflow alone is not). */
export function stageTarget(args: readonly unknown[]): { workflow: string; stage: string } | undefined {
  const target = commandTarget(args);
  return target && target.stage !== null ? { workflow: target.workflow, stage: target.stage } : undefined;
}

/** A file argument (the explorer's context menu, a test): the first argument when it is a Uri. */
export function uriArgument(args: readonly unknown[]): vscode.Uri | undefined {
  return args[0] instanceof vscode.Uri ? args[0] : undefined;
}

/** A text argument (a key, a password): the first argument when it is a string. */
export function textArgument(args: readonly unknown[]): string | undefined {
  return typeof args[0] === 'string' ? args[0] : undefined;
}

/** A time range argument (the welcome view's "Show All Time" link): one of the ranges, else undefined. */
export function rangeArgument(args: readonly unknown[]): TimeRange | undefined {
  const range = args[0];
  return typeof range === 'string' && Object.hasOwn(RANGE_LABELS, range) ? (range as TimeRange) : undefined;
}
