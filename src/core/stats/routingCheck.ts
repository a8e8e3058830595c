import type { StageRecommendation } from '../routing/recommendation';
import type { TierUpgradeVerdict } from '../routing/routerTypes';
import type { StageOverview } from './overview';
import { formatRecommendationCheck } from './report';
import { overviewSavings } from './savings';

/** A routing check: what the editor's Routing Check commands and the CLI's routing-check report. */
export interface RoutingCheck {
  /** Each stage's recommendation: what decides whether it needs an upgrade. */
  recommendations: StageRecommendation[];
  /** The seed's recent-failure verdicts of the same stages. */
  verdicts: TierUpgradeVerdict[];
  /** Stages whose recommendation moves them up a tier. */
  upgradesNeeded: number;
  /** The report: recommendations by verdict, then spend and savings. */
  report: string;
}

/** The routing check of some stages of the overview (their recommendations worked out), built once for every surface. */
export function routingCheck(stages: StageOverview[], options: { days: number; minSampleSize: number; title: string; rangeLabel?: string }): RoutingCheck {
  const recommendations = stages.flatMap((s) => (s.recommendation ? [s.recommendation] : []));
  const savings = overviewSavings(stages, { days: options.days, minSampleSize: options.minSampleSize });
  return {
    recommendations,
    verdicts: stages.map((s) => s.verdict),
    upgradesNeeded: recommendations.filter((r) => r.change === 'upgrade').length,
    report: formatRecommendationCheck(recommendations, options.days, options.title, options.rangeLabel, savings),
  };
}
