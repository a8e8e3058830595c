// Types only, with no imports: the dashboard page's bundle reads it without the router behind it.

/**
 * What a recommendation says of its stage, in one word, worked out once here for every surface (tree,
 * status bar, diagnostics, dashboard, savings, reports, CLI). In order of precedence:
 * - `held-by-budget`: a spent "cheapest" budget holds the stage on its cheapest model;
 * - `out-of-reach`: on enough calls, no model is likely to meet the target;
 * - `upgrade` / `downgrade`: the recommended model is of a pricier / cheaper tier than the current one;
 * - `thin-evidence`: too few calls at the stage to judge it (or none: the model is a default);
 * - `no-tier`: judged, but neither a declared tier nor the calls' tier says where the stage is now;
 * - `keep`: the stage stays on its tier.
 * `change` stays the tier move alone: a stage out of reach can still be moved up a tier.
 */
export type StageVerdict = 'held-by-budget' | 'out-of-reach' | 'upgrade' | 'downgrade' | 'thin-evidence' | 'no-tier' | 'keep';
