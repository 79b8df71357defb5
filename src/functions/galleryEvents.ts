import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { handleGalleryEvent } from '../triggers/galleryEvents';
import { appConfig, appServices, orchestrationSettings } from '../compositionRoot';
import { durableStarter, triggerLog } from './durableStarter';

export async function galleryEventsHandler(event: EventGridEvent, context: InvocationContext): Promise<void> {
  await handleGalleryEvent(event, {
    factory: appConfig().factory,
    gallery: appServices().gallery,
    starter: durableStarter(df.getClient(context)),
    log: triggerLog(context),
    settings: orchestrationSettings(),
    now: () => appServices().clock.now(),
  });
}

app.eventGrid('galleryEvents', { extraInputs: [df.input.durableClient()], handler: galleryEventsHandler });
