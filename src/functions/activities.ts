import * as df from 'durable-functions';
import { ACTIVITY_IMPLEMENTATIONS } from '../activities';
import { runActivity } from '../activities/result';
import { appServices } from '../compositionRoot';

for (const [name, implementation] of Object.entries(ACTIVITY_IMPLEMENTATIONS)) {
  df.app.activity(name, {
    handler: (input: unknown) => runActivity(() => implementation(appServices(), input as never)),
  });
}
