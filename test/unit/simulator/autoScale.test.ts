import { evaluateFormula, startAutoScale } from '../../../src/local/simulator/batch/autoScale';

const MINUTE = 60_000;

describe('the simulator autoscale evaluation (Batch formula rules)', () => {
  // learn.microsoft.com/azure/batch/batch-automatic-scaling: GetSample(interval, samplePercent) fails
  // when fewer than samplePercent of the interval's samples exist; Batch samples every 30 seconds, so
  // a new pool has none and an old enough one has them all.
  const formula =
    '$samples = $PendingTasks.GetSample(TimeInterval_Minute * 10, 70); $TargetDedicatedNodes = 4;';

  it('a young pool: InsufficientSampleData, naming the metric, wanted and received percent', () => {
    const run = startAutoScale(formula, 'PT5M', 0);
    expect(run.state.error).toEqual({
      code: 'InsufficientSampleData',
      message: expect.stringMatching(
        /Insufficient data from data set: \$PendingTasks wanted 70%, received 0%/,
      ),
    });
    expect(evaluateFormula(formula, 5 * MINUTE).error?.message).toMatch(/wanted 70%, received 50%/);
  });

  it('succeeds once the pool has sampled long enough', () => {
    const run = evaluateFormula(formula, 10 * MINUTE);
    expect(run.error).toBeUndefined();
    expect(run.dedicated).toBe(4);
    expect(evaluateFormula(formula, 7 * MINUTE).error).toBeUndefined();
  });

  it('GetSample without a samplePercent, and the count form, do not fail on a new pool', () => {
    expect(startAutoScale('$TargetDedicatedNodes = $PendingTasks.GetSample(1);', 'PT5M', 0).state.error).toBe(
      undefined,
    );
    expect(
      evaluateFormula('$x = $CPUPercent.GetSample(TimeInterval_Minute * 5); $TargetDedicatedNodes = 2;', 0)
        .error,
    ).toBeUndefined();
  });

  it('a formula need not assign a target variable (no Batch rule requires it)', () => {
    expect(() => startAutoScale('$NodeDeallocationOption = taskcompletion;', 'PT5M', 0)).not.toThrow();
    expect(() => startAutoScale('$TargetDedicatedNodes = (1;', 'PT5M', 0)).toThrow(
      expect.objectContaining({ code: 'InvalidPropertyValue' }),
    );
  });
});
