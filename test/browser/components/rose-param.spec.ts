/// <reference types="mocha" />
/** @file Browser: `<rose-param>` attributes, properties, events, keyboard use and errors. */
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import '../../../components/index.ts';
import { create, mount, nextEvent, record } from './helpers.ts';

describe('<rose-param>', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows a labelled slider and readout when min and max are given', async () => {
    const p = mount(create('rose-param', { name: 'x', value: '-1.2', min: '-2', max: '2', step: '0.01' }), 'width: 300px');
    await p.updateComplete;
    const input = p.shadowRoot!.querySelector('input')!;
    expect(input.type).to.equal('range');
    expect(input.min).to.equal('-2');
    expect(input.max).to.equal('2');
    expect(input.valueAsNumber).to.equal(-1.2);
    expect(input.labels?.[0]?.textContent).to.equal('x');
    expect(p.shadowRoot!.querySelector('output')!.textContent).to.equal('\u22121.20');
    expect(p.value).to.equal(-1.2);
  });

  it('shows only a readout without bounds', async () => {
    const p = mount(create('rose-param', { name: 'rate', value: '0.00125' }));
    await p.updateComplete;
    expect(p.hasSlider).to.equal(false);
    expect(p.shadowRoot!.querySelector('input')).to.equal(null);
    expect(p.shadowRoot!.querySelector('output')!.textContent).to.equal('0.00125');
  });

  it('follows the value property cheaply, without firing events', async () => {
    const p = mount(create('rose-param', { name: 'x', min: '0', max: '1', step: '0.001' }));
    const log = record(p, ['rose-input', 'rose-change']);
    for (let k = 0; k <= 100; k++) p.value = k / 100;
    await p.updateComplete;
    expect(p.shadowRoot!.querySelector('input')!.valueAsNumber).to.equal(1);
    expect(p.shadowRoot!.querySelector('output')!.textContent).to.equal('1.000');
    expect(log).to.deep.equal([]);
  });

  it('is keyboard accessible: arrow keys fire rose-input then rose-change', async () => {
    const p = mount(create('rose-param', { name: 'y', value: '0.5', min: '0', max: '1', step: '0.1' }));
    await p.updateComplete;
    const log = record(p, ['rose-input', 'rose-change']);
    p.shadowRoot!.querySelector('input')!.focus();
    await sendKeys({ press: 'ArrowRight' });
    expect(log.map((e) => e.name)).to.deep.equal(['rose-input', 'rose-change']);
    expect(log[0]!.detail).to.deep.equal({ name: 'y', value: 0.6 });
    expect(p.value).to.equal(0.6);
    const input = p.shadowRoot!.querySelector('input')!;
    expect(input.getAttribute('aria-valuetext')).to.equal('y = 0.60');
  });

  it('lets the reader win while holding the slider', async () => {
    const p = mount(create('rose-param', { name: 'x', value: '0', min: '-1', max: '1', step: '0.1' }));
    await p.updateComplete;
    const input = p.shadowRoot!.querySelector('input')!;
    input.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    input.value = '0.5';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    p.value = -0.7; // an optimizer writing while the reader drags
    await p.updateComplete;
    expect(p.value).to.equal(0.5);
    expect(input.valueAsNumber).to.equal(0.5);
    input.dispatchEvent(new PointerEvent('pointerup', { bubbles: true }));
    p.value = -0.7;
    await p.updateComplete;
    expect(input.valueAsNumber).to.equal(-0.7);
  });

  it('events bubble out of shadow roots and are composed', async () => {
    const p = mount(create('rose-param', { name: 'x', value: '0', min: '-1', max: '1' }));
    await p.updateComplete;
    const seen = nextEvent(document, 'rose-input');
    const input = p.shadowRoot!.querySelector('input')!;
    input.value = '0.5';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    expect(await seen).to.deep.equal({ name: 'x', value: 0.5 });
  });

  it('shows bad attributes inside the element and fires rose-error', async () => {
    const p = create('rose-param', { name: 'x', value: '0', min: '2', max: '1' });
    const error = nextEvent(p, 'rose-error');
    mount(p);
    const detail = await error;
    expect(detail.code).to.equal('invalid-value');
    expect(detail.message).to.contain('max="1"');
    expect(detail.message).to.contain('larger than min');
    await p.updateComplete;
    const box = p.shadowRoot!.querySelector('[part=error]')!;
    expect(box.getAttribute('role')).to.equal('alert');
    expect(box.textContent).to.contain('invalid max="1"');
    p.setAttribute('max', '3'); // fixed: the error goes away
    await p.updateComplete;
    expect(p.error).to.equal(undefined);
    expect(p.shadowRoot!.querySelector('[part=error]')).to.equal(null);
  });

  it('rejects unparsable numbers and names', async () => {
    const p = mount(create('rose-param', { name: 'x', value: 'abc' }));
    await p.updateComplete;
    expect(p.error?.message).to.contain('invalid value="abc"');
    p.setAttribute('value', '1');
    p.setAttribute('name', '2x');
    await p.updateComplete;
    expect(p.error?.message).to.contain('invalid name="2x"');
  });
});
