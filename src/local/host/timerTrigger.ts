import type { Registration } from './functionsCore';
import { invokeFunction, resolveSetting, type InvokeEnvironment } from './invoke';
import { nextOccurrence, parseNcrontab } from './ncrontab';
import type { EngineClock } from './durable/engine';

/** A timer trigger on the shared (virtual) clock: schedules in simulated time fire in real seconds. */
export class TimerTrigger {
  private cancel?: () => void;
  private stopped = false;
  readonly schedule: string;
  fired = 0;

  constructor(
    private readonly registration: Registration,
    private readonly clock: EngineClock,
    private readonly env: InvokeEnvironment,
  ) {
    this.schedule = resolveSetting(String(registration.trigger.schedule));
  }

  start(): void {
    this.arm(parseNcrontab(this.schedule));
  }

  private arm(schedule: ReturnType<typeof parseNcrontab>): void {
    if (this.stopped) return;
    const at = nextOccurrence(schedule, this.clock.nowMs());
    this.cancel = this.clock.at(at, () => {
      this.fired += 1;
      const timer = {
        isPastDue: this.clock.nowMs() - at > 60_000,
        schedule: { adjustForDST: false },
        scheduleStatus: {
          last: new Date(at).toISOString(),
          next: new Date(nextOccurrence(schedule, at)).toISOString(),
          lastUpdated: new Date(this.clock.nowMs()).toISOString(),
        },
      };
      invokeFunction(this.registration, timer, this.env)
        .catch((error: unknown) =>
          this.env.log(`[${this.registration.name}] failed: ${(error as Error).message}`),
        )
        .finally(() => this.arm(schedule));
    });
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }
}
