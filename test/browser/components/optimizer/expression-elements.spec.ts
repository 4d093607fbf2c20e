/// <reference types="mocha" />
/** @file Browser: `<rose-objective>` and `<rose-constraint>` render their expression as math. */
import { expect } from 'chai';
import '../../../../components/index.ts';

/** Mount `markup` and return its first element after its update. */
async function mountOne<K extends 'rose-objective' | 'rose-constraint'>(tag: K, markup: string): Promise<HTMLElementTagNameMap[K]> {
  const box = document.createElement('div');
  box.innerHTML = markup;
  document.body.append(box);
  const el = box.querySelector(tag)!;
  await el.updateComplete;
  return el;
}

describe('<rose-objective> and <rose-constraint>', () => {
  afterEach(() => document.body.replaceChildren());

  it('renders the objective as compact math', async () => {
    const el = await mountOne('rose-objective', '<rose-objective>\n    (1 - x)^2 + 100*(y - x^2)^2\n  </rose-objective>');
    expect(el.expression).to.equal('(1 - x)^2 + 100*(y - x^2)^2');
    const math = el.shadowRoot!.querySelector('[part="expression"]')!;
    expect(math.textContent!.replace(/\s+/g, ' ').trim()).to.equal('(1 − x)2 + 100(y − x2)2');
    expect(math.querySelectorAll('sup')).to.have.length(3);
    expect(math.querySelectorAll('var')).to.have.length(3);
    expect(math.getAttribute('aria-label')).to.equal('(1 - x)^2 + 100*(y - x^2)^2');
    expect(el.shadowRoot!.querySelector('[part="keyword"]')!.textContent).to.equal('minimize');
  });

  it('renders a constraint with its comparison and label; follows text edits', async () => {
    const el = await mountOne('rose-constraint', '<rose-constraint label="rim">x^2/4 + y^2 <= 1</rose-constraint>');
    const text = () => el.shadowRoot!.querySelector('[part="expression"]')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(text()).to.equal('x2/4 + y2 ≤ 1');
    expect(el.shadowRoot!.querySelector('[part="label"]')!.textContent).to.equal('rim');
    expect(el.shadowRoot!.querySelector('[part="keyword"]')!.textContent).to.equal('subject to');
    el.textContent = 'sqrt(theta_1) == abs(x)';
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
    expect(text()).to.equal('√θ1 = |x|');
    expect(el.shadowRoot!.querySelector('sub')!.textContent).to.equal('1');
  });

  it('shows text that does not parse as it is, and hides with the hidden attribute', async () => {
    const el = await mountOne('rose-objective', '<rose-objective>x +* 2</rose-objective>');
    const raw = el.shadowRoot!.querySelector('code[part="expression"]')!;
    expect(raw.textContent).to.equal('x +* 2');
    el.hidden = true;
    expect(getComputedStyle(el).display).to.equal('none');
  });
});
