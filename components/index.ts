/**
 * @file Rose Kit's elements: importing this module defines `<rose-param>`, `<rose-plot>`,
 * `<rose-optimizer>`, `<rose-objective>` and `<rose-constraint>`
 * (each only once, so two copies of the bundle on a page do not clash) and exports their classes
 * and the shared contracts (events, model sources) for elements built on them.
 */
import { RoseParam } from './rose-param/rose-param.ts';
import { RosePlot } from './rose-plot/rose-plot.ts';
import { RoseConstraint } from './rose-constraint/rose-constraint.ts';
import { RoseObjective } from './rose-objective/rose-objective.ts';
import { RoseOptimizer } from './rose-optimizer/rose-optimizer.ts';

export { RoseParam } from './rose-param/rose-param.ts';
export { RosePlot } from './rose-plot/rose-plot.ts';
export { PlotController } from './rose-plot/plot-controller.ts';
export { RoseOptimizer } from './rose-optimizer/rose-optimizer.ts';
export { RoseObjective } from './rose-objective/rose-objective.ts';
export { RoseConstraint } from './rose-constraint/rose-constraint.ts';
export type {
  OptimizerCompiledDetail,
  OptimizerErrorDetail,
  OptimizerStatus,
  OptimizerStepDetail,
  RoseOptimizerEventMap,
} from './rose-optimizer/events.ts';
export type { OptimizerModel } from './rose-optimizer/model-spec.ts';
export { ModelState, isModelSource, modelSourceOf } from './shared/model-source.ts';
export type { ModelSource, ModelInit, ParameterBounds } from './shared/model-source.ts';
export { emit } from './shared/events.ts';
export type {
  RoseErrorDetail,
  RoseEventMap,
  RoseModelChangeDetail,
  RosePickDetail,
  RoseRenderDetail,
  RoseModelStepDetail,
  RoseValueDetail,
} from './shared/events.ts';
export { FrameScheduler } from './shared/frame-scheduler.ts';
export { SizeController } from './shared/size-controller.ts';
export { SourceController } from './shared/source-controller.ts';

/** Define `tag` as `element` unless something is already defined under that name. */
function define(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

define('rose-param', RoseParam);
define('rose-plot', RosePlot);
define('rose-objective', RoseObjective);
define('rose-constraint', RoseConstraint);
define('rose-optimizer', RoseOptimizer);
