/** @file Helpers of the optimizer element tests: markup fixtures and awaiting events or states. */
import type { RoseOptimizer } from '../../../../components/rose-optimizer/rose-optimizer.ts';
import type { OptimizerStatus, RoseOptimizerEventMap } from '../../../../components/rose-optimizer/events.ts';

/** Put `markup` in a fresh container in the body; return the first `<rose-optimizer>` in it. */
export function mountOptimizer(markup: string): RoseOptimizer {
  const box = document.createElement('div');
  box.innerHTML = markup;
  document.body.append(box);
  const el = box.querySelector('rose-optimizer');
  if (!el) throw new Error('no <rose-optimizer> in the fixture');
  return el;
}

type Detail<K extends keyof RoseOptimizerEventMap> = RoseOptimizerEventMap[K]['detail'];

/** Resolve with the detail of the next `name` event of `el` whose detail satisfies `accept`. */
export function nextEvent<K extends keyof RoseOptimizerEventMap>(
  el: EventTarget,
  name: K,
  accept: (detail: Detail<K>) => boolean = () => true,
  timeout = 20000,
): Promise<Detail<K>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      el.removeEventListener(name, listener);
      reject(new Error(`no ${name} event within ${timeout} ms`));
    }, timeout);
    const listener = (e: Event): void => {
      const detail = (e as CustomEvent<Detail<K>>).detail;
      if (!accept(detail)) return;
      clearTimeout(timer);
      el.removeEventListener(name, listener);
      resolve(detail);
    };
    el.addEventListener(name, listener);
  });
}

/** Record the names and details of the given events of `el`, in order. */
export function record(el: EventTarget, names: readonly string[]): { name: string; detail: unknown }[] {
  const log: { name: string; detail: unknown }[] = [];
  for (const name of names) el.addEventListener(name, (e) => log.push({ name, detail: (e as CustomEvent).detail }));
  return log;
}

/** Resolve once `check()` is true (polled every 20 ms). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeout = 10000): Promise<void> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolve once `el.state` is `state` (polled every 20 ms). */
export function untilState(el: RoseOptimizer, state: OptimizerStatus, timeout = 20000): Promise<void> {
  return until(() => el.state === state, `state ${state}`, timeout);
}

export { frames } from '../helpers.ts';

/** Fire `rose-input` (or `rose-change` when `commit`) from a `<rose-param>` as a drag would. */
export function drag(param: HTMLElement & { value: number }, value: number, commit = false): void {
  param.value = value;
  param.dispatchEvent(
    new CustomEvent(commit ? 'rose-change' : 'rose-input', {
      detail: { name: param.getAttribute('name') ?? '', value },
      bubbles: true,
      composed: true,
    }),
  );
}

/** Rosenbrock's function in markup, from (-1.2, 1). */
export const ROSENBROCK = `
  <rose-optimizer id="opt">
    <rose-param name="x" value="-1.2" min="-2" max="2"></rose-param>
    <rose-param name="y" value="1" min="-1" max="3"></rose-param>
    <rose-objective>(1 - x)^2 + 100*(y - x^2)^2</rose-objective>
  </rose-optimizer>`;
