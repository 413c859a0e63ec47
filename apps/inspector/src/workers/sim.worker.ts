/**
 * Runs the simulator in the browser: one seed of a scenario against a design, or a repro string,
 * traced. The trace text goes back to the page, which opens it like any other trace.
 */
import { assertNever } from '@ktls-lab/core';
import { findScenario, findSimDesign, replay, runSeed, traceOf } from '@ktls-lab/sim';
import type { SimReply, SimRequest } from './simProtocol';

interface WorkerScope {
  postMessage(message: SimReply): void;
  onmessage: ((event: MessageEvent<SimRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = ({ data }) => {
  scope.postMessage(run(data));
};

function run(req: SimRequest): SimReply {
  try {
    let outcome: ReturnType<typeof runSeed>;
    switch (req.kind) {
      case 'replay':
        outcome = replay(req.repro, { trace: true });
        break;
      case 'seed': {
        const scenario = findScenario(req.scenario);
        const design = findSimDesign(req.design);
        if (!scenario)
          return { id: req.id, ok: false, message: `unknown scenario "${req.scenario}"` };
        if (!design) return { id: req.id, ok: false, message: `unknown design "${req.design}"` };
        outcome = runSeed(scenario, design, req.strategy, req.seed, { trace: true });
        break;
      }
      default:
        return assertNever(req, 'simulator request');
    }
    return {
      id: req.id,
      ok: true,
      text: traceOf(outcome),
      verdict: outcome.verdict,
      steps: outcome.steps,
      repro: outcome.repro,
      violation: outcome.violation
        ? `#${outcome.violation.invariant} ${outcome.violation.name}: ${outcome.violation.message}`
        : null,
      name: `${outcome.design} × ${outcome.scenario} (${outcome.strategy} seed ${outcome.seed})`,
    };
  } catch (e) {
    return { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
