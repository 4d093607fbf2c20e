/// <reference types="mocha" />
/**
 * @file Browser: `<rose-optimizer>` shows mistakes inside itself (which element, line, column,
 * caret excerpt, fix), fires `rose-error` once per distinct mistake, marks the faulty element,
 * and recovers when the markup is fixed.
 */
import { expect } from 'chai';
import '../../../../components/index.ts';
import { ROSENBROCK, mountOptimizer, nextEvent, record, untilState } from './helpers.ts';

/** Return the text of the error box inside `el`, or '' when none is shown. */
function shownError(el: Element): string {
  return el.shadowRoot!.querySelector('[part="error"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

describe('<rose-optimizer> errors', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows a syntax error with element, line, column and caret; recovers when fixed', async () => {
    const error = nextEvent(document, 'rose-error');
    const el = mountOptimizer(`
      <rose-optimizer>
        <rose-param name="x" value="-1.2"></rose-param>
        <rose-param name="y" value="1"></rose-param>
        <rose-objective label="banana">
          (1 - x)^2 +
            100*(y - x^2))^2
        </rose-objective>
      </rose-optimizer>`);
    const detail = await error;
    const objective = el.querySelector('rose-objective')!;
    expect(detail.code).to.equal('syntax');
    expect(detail.element).to.equal(objective);
    expect(detail.line).to.equal(2);
    expect(detail.column).to.equal(16);
    expect(detail.excerpt).to.contain('2 |   100*(y - x^2))^2');
    expect(detail.excerpt).to.contain('^');
    expect(detail.message).to.contain('line 2, column 16');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    const text = shownError(el);
    expect(text).to.contain('syntax');
    expect(text).to.contain('in <rose-objective label="banana">, line 2, column 16');
    expect(el.shadowRoot!.querySelector('[part="excerpt"]')!.textContent).to.equal(detail.excerpt);
    expect(objective.hasAttribute('invalid')).to.equal(true);
    // fixing the text recovers: compiled, no error box, no mark
    const compiled = nextEvent(el, 'rose-compiled');
    objective.textContent = '(1 - x)^2 + 100*(y - x^2)^2';
    await compiled;
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(shownError(el)).to.equal('');
    expect(el.error).to.equal(undefined);
    expect(objective.hasAttribute('invalid')).to.equal(false);
  });

  it('names an unknown parameter in a labelled constraint, with a suggestion', async () => {
    const el = mountOptimizer(`
      <rose-optimizer>
        <rose-param name="x" value="1"></rose-param>
        <rose-param name="y" value="1"></rose-param>
        <rose-objective>x^2 + y^2</rose-objective>
        <rose-constraint label="rim">x + yy >= 1</rose-constraint>
      </rose-optimizer>`);
    const detail = await nextEvent(el, 'rose-error');
    expect(detail.code).to.equal('unknown-name');
    expect(detail.element).to.equal(el.querySelector('rose-constraint'));
    expect([detail.line, detail.column]).to.deep.equal([1, 5]);
    expect(detail.message).to.contain('constraint "rim"');
    await el.updateComplete;
    expect(shownError(el)).to.contain('in <rose-constraint label="rim">, line 1, column 5');
    expect(shownError(el)).to.contain("'y'");
  });

  it('a constraint without a comparison, and an objective with one', async () => {
    const el = mountOptimizer(`
      <rose-optimizer>
        <rose-param name="x" value="1"></rose-param>
        <rose-objective>x^2</rose-objective>
        <rose-constraint>x - 1</rose-constraint>
      </rose-optimizer>`);
    const detail = await nextEvent(el, 'rose-error');
    expect(detail.code).to.equal('syntax');
    expect(detail.element).to.equal(el.querySelector('rose-constraint'));
    const next = nextEvent(el, 'rose-error');
    el.querySelector('rose-constraint')!.remove();
    el.querySelector('rose-objective')!.textContent = 'x^2 <= 1';
    const second = await next;
    expect(second.code).to.equal('syntax');
    expect(second.element).to.equal(el.querySelector('rose-objective'));
  });

  it('bad markup: no objective, two objectives, a duplicate name, a bad value', async () => {
    const el = mountOptimizer(`
      <rose-optimizer>
        <rose-param name="x" value="1"></rose-param>
      </rose-optimizer>`);
    let detail = await nextEvent(el, 'rose-error');
    expect(detail.code).to.equal('invalid-value');
    expect(detail.message).to.contain('no objective');
    await el.updateComplete;
    expect(shownError(el)).to.contain('<rose-objective>');

    let next = nextEvent(el, 'rose-error');
    el.insertAdjacentHTML('beforeend', '<rose-objective>x^2</rose-objective><rose-objective>x^4</rose-objective>');
    detail = await next;
    expect(detail.message).to.contain('2 objectives');
    expect(detail.element).to.equal(el.querySelectorAll('rose-objective')[1]);

    next = nextEvent(el, 'rose-error');
    el.querySelectorAll('rose-objective')[1]!.remove();
    el.insertAdjacentHTML('afterbegin', '<rose-param name="x" value="2"></rose-param>');
    detail = await next;
    expect(detail.message).to.contain('"x" is declared twice');
    expect(detail.element).to.equal(el.querySelectorAll('rose-param')[1]);
    expect(detail.element!.hasAttribute('invalid')).to.equal(true);

    // (the <rose-param> reports its bad value itself too; its rose-error bubbles through)
    next = nextEvent(el, 'rose-error', (d) => d.message.includes('invalid model'));
    el.querySelectorAll('rose-param')[1]!.setAttribute('name', 'y');
    el.querySelectorAll('rose-param')[1]!.setAttribute('value', 'abc');
    detail = await next;
    expect(detail.message).to.contain('"y" has the value NaN');

    const compiled = nextEvent(el, 'rose-compiled');
    el.querySelectorAll('rose-param')[1]!.setAttribute('value', '0.5');
    expect((await compiled).parameters).to.deep.equal(['x', 'y']);
  });

  it('bad attributes are errors too, and the same mistake fires rose-error once', async () => {
    const el = mountOptimizer(ROSENBROCK.replace('id="opt"', 'id="opt" method="newton"'));
    const log = record(el, ['rose-error']);
    const detail = await nextEvent(el, 'rose-error');
    expect(detail.code).to.equal('invalid-value');
    expect(detail.message).to.contain('method="newton"');
    expect(detail.message).to.contain('lbfgs, adam, gd');
    // an unrelated edit that keeps the mistake does not fire again
    el.querySelector('rose-objective')!.textContent = '(1 - x)^2 + 10*(y - x^2)^2';
    await new Promise((r) => setTimeout(r, 150));
    expect(log).to.have.length(1);
    el.setAttribute('max-iterations', '-3');
    el.setAttribute('method', 'lbfgs');
    const second = await nextEvent(el, 'rose-error');
    expect(second.message).to.contain('max-iterations="-3"');
    const compiled = nextEvent(el, 'rose-compiled');
    el.removeAttribute('max-iterations');
    await compiled;
    await untilState(el, 'idle');
  });

  it('a non-finite objective during the run stops with an error saying where', async () => {
    const el = mountOptimizer(`
      <rose-optimizer method="gd" learning-rate="1" gradient-tolerance="1e-300" autostart>
        <rose-param name="x" value="3"></rose-param>
        <rose-objective>x^4</rose-objective>
      </rose-optimizer>`);
    const detail = await nextEvent(el, 'rose-error');
    expect(detail.code).to.equal('invalid-value');
    expect(detail.message).to.contain('non-finite');
    expect(detail.message).to.contain('x = ');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(shownError(el)).to.contain('non-finite');
  });

  it('a run that stops without converging says why in its status', async () => {
    const el = mountOptimizer(`
      <rose-optimizer autostart>
        <rose-param name="x" value="0"></rose-param>
        <rose-objective>-exp(x)</rose-objective>
      </rose-optimizer>`);
    const last = await nextEvent(el, 'rose-step', (d) => !d.running);
    expect(last.reason).to.equal('line-search-failure');
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.contain('stopped: line-search-failure');
  });
});
