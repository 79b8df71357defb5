import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ACTIVITY_IMPLEMENTATIONS, MESSAGING_ACTIVITIES } from '../activities';
import { runActivity } from '../activities/result';
import type { Services } from '../activities/services';
import { appServices } from '../compositionRoot';
import { durableInstances } from './durableStarter';

// Azure hands every activity JSON: registration sees them all as one shape, under the names Azure uses.
const registered: Record<string, (services: Services, input: never) => Promise<unknown>> =
  ACTIVITY_IMPLEMENTATIONS;

for (const [name, implementation] of Object.entries(registered)) {
  if ((MESSAGING_ACTIVITIES as readonly string[]).includes(name)) {
    // The Durable client comes from this invocation's binding, as in any client function.
    df.app.activity(name, {
      extraInputs: [df.input.durableClient()],
      handler: (input: unknown, context: InvocationContext) =>
        runActivity(() =>
          implementation(
            { ...appServices(), instances: durableInstances(df.getClient(context)) },
            input as never,
          ),
        ),
    });
    continue;
  }
  df.app.activity(name, {
    handler: (input: unknown) => runActivity(() => implementation(appServices(), input as never)),
  });
}
