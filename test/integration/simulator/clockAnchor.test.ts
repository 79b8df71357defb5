import { VirtualClock } from '../../../src/local/clock';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';
import { MINUTE, rawRequest, startTestSimulator } from '../../helpers/simulator';

/**
 * Only a 'free' clock can be followed by another process (the host's --clock-from): a gated clock
 * stops whenever its own engine is busy, which no anchor (a straight line) can say.
 */
describe('a gated simulator clock gives no anchor to follow', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    const clock = new VirtualClock({ speed: 2000, startSimMs: Date.UTC(2026, 0, 1), mode: 'jump-when-idle' });
    ({ sim } = await startTestSimulator({ clock }));
  });
  afterAll(() => sim.stop());

  it('GET /_sim/clock answers 409 ClockNotFollowable naming the fix instead of an anchor', async () => {
    const answer = await rawRequest(sim, 'GET', '/_sim/clock');
    expect(answer.status).toBe(409);
    expect(answer.body.anchor).toBeUndefined();
    expect(answer.body.error.code).toBe('ClockNotFollowable');
    expect(answer.body.error.message).toMatch(/'jump-when-idle'.*'free'/);
  });

  it('POST /_sim/clock still moves it, and answers the time without an anchor', async () => {
    const before = sim.clock.nowMs();
    const answer = await rawRequest(sim, 'POST', '/_sim/clock', { advanceMinutes: 90 });
    expect(answer.status).toBe(200);
    expect(Date.parse(answer.body.now) - before).toBeGreaterThanOrEqual(90 * MINUTE);
    expect(answer.body.anchor).toBeUndefined();
  });

  it('GET /_sim/info tells the mode and leaves the anchor out', async () => {
    const answer = await rawRequest(sim, 'GET', '/_sim/info');
    expect(answer.status).toBe(200);
    expect(answer.body.clockMode).toBe('jump-when-idle');
    expect(answer.body.clock).toBeUndefined();
  });
});

describe('a free simulator clock is followed as before', () => {
  let sim: RunningSimulator;
  beforeAll(async () => ({ sim } = await startTestSimulator()));
  afterAll(() => sim.stop());

  it('GET /_sim/clock and /_sim/info give its anchor', async () => {
    const clock = await rawRequest(sim, 'GET', '/_sim/clock');
    expect(clock.status).toBe(200);
    expect(clock.body.anchor).toEqual(sim.clock.getAnchor());
    const info = await rawRequest(sim, 'GET', '/_sim/info');
    expect(info.body.clock).toEqual(sim.clock.getAnchor());
    expect(info.body.clockMode).toBe('free');
  });
});
