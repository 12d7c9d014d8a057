import { describe, expect, it } from 'vitest';
import { createActiveTimeMeter, HEARTBEAT_MS, IDLE_MS } from './active-time';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

describe('createActiveTimeMeter', () => {
  it('counts a visible, active half minute as one heartbeat of 30 seconds', () => {
    const meter = createActiveTimeMeter(T0);
    meter.activity(s(10));
    expect(meter.take(T0 + HEARTBEAT_MS)).toBe(30);
    expect(meter.take(T0 + HEARTBEAT_MS)).toBe(0);
  });

  it('reports the seconds since the previous take only', () => {
    const meter = createActiveTimeMeter(T0);
    expect(meter.take(s(30))).toBe(30);
    meter.activity(s(40));
    expect(meter.take(s(60))).toBe(30);
  });

  it('stops counting once the learner has been idle for the idle limit', () => {
    const meter = createActiveTimeMeter(T0, { idleMs: 45_000 });
    expect(meter.take(s(30))).toBe(30);
    // Last activity at 0 s: time counts up to 45 s, not to 60 s.
    expect(meter.take(s(60))).toBe(15);
    expect(meter.take(s(90))).toBe(0);
    meter.activity(s(100));
    expect(meter.take(s(120))).toBe(20);
  });

  it('does not count hidden time, and counts again once shown', () => {
    const meter = createActiveTimeMeter(T0);
    meter.setVisible(false, s(10));
    expect(meter.take(s(30))).toBe(10);
    meter.setVisible(true, s(50));
    expect(meter.take(s(60))).toBe(10);
  });

  it('starts at zero for a page opened in the background', () => {
    const meter = createActiveTimeMeter(T0, { visible: false });
    expect(meter.take(s(30))).toBe(0);
    meter.setVisible(true, s(30));
    expect(meter.take(s(45))).toBe(15);
  });

  it('keeps fractions of a second for the next heartbeat', () => {
    const meter = createActiveTimeMeter(T0);
    expect(meter.take(T0 + 1_500)).toBe(1);
    expect(meter.take(T0 + 3_000)).toBe(2);
  });

  it('caps a heartbeat at what the API credits, after a timer that did not fire for long', () => {
    const meter = createActiveTimeMeter(T0, { idleMs: 10 * 60_000 });
    expect(meter.take(s(300))).toBe(60);
    expect(meter.take(s(330))).toBe(30);
  });

  it('ignores a clock that goes backwards', () => {
    const meter = createActiveTimeMeter(T0);
    expect(meter.take(s(20))).toBe(20);
    meter.activity(s(5));
    expect(meter.take(s(10))).toBe(0);
    expect(meter.take(s(30))).toBe(10);
  });

  it('treats being shown as activity', () => {
    const meter = createActiveTimeMeter(T0, { visible: false });
    meter.setVisible(true, T0 + 2 * IDLE_MS);
    expect(meter.take(T0 + 2 * IDLE_MS + 30_000)).toBe(30);
  });
});
