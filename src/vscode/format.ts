import * as vscode from 'vscode';
import { money, pct } from '../core/format';
import type { ModelPerformance } from '../core/routing/routerTypes';

export { money, pct };

/** A stage's name for the editor: the workflow-level stage as "(no stage)", localised (core/format's NO_STAGE). */
export function stageNameText(stage: string): string {
  return stage || vscode.l10n.t('(no stage)');
}

/** "code-review / analysis" for the editor. */
export function stageLabelText(s: { workflow: string; stage: string }): string {
  return `${s.workflow} / ${stageNameText(s.stage)}`;
}

export function latency(ms: number | null | undefined): string {
  if (ms == null) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/** A rate, or "insufficient data (n=4)" when there are too few calls to say: never a bare 100%. */
export function rateOrInsufficient(rate: number, n: number, minSamples: number): string {
  return n < minSamples ? vscode.l10n.t('insufficient data (n={0})', n) : pct(rate);
}

/**
 * One-line summary of a model's performance for tree descriptions, the figure that matters most
 * first (a narrow sidebar cuts the end): success rate with its sample, cost per success, latencies.
 */
export function performanceLine(p: ModelPerformance, minSamples: number): string {
  return [
    p.calls < minSamples ? rateOrInsufficient(p.successRate, p.calls, minSamples) : vscode.l10n.t('{0} observed (n={1})', pct(p.successRate), p.calls),
    vscode.l10n.t('{0}/success', money(p.costPerSuccess)),
    vscode.l10n.t('avg {0}', latency(p.avgLatencyMs)),
    vscode.l10n.t('p95 {0}', latency(p.p95LatencyMs)),
  ].join(' · ');
}

/** Markdown that shows untrusted text (workflow, stage, model names) as plain text, never as links or commands. */
export function safeMarkdown(): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

/**
 * Text for a MarkdownString, with every Markdown and HTML character escaped so names from the
 * file stay text. (MarkdownString.appendText also turns every space into &nbsp;, so a tooltip could
 * only wrap at hyphens, inside model names; this keeps spaces as spaces.)
 */
export function escapeMarkdown(text: string | number): string {
  text = String(text);
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~>$]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\r?\n/g, '  \n');
}
