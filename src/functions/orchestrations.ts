import * as df from 'durable-functions';
import { ORCHESTRATORS } from '../domain/pipeline';
import { imagePipeline } from '../orchestrators/imagePipeline';
import { regionRollout } from '../orchestrators/regionRollout';
import { rolloutVersion } from '../orchestrators/rolloutVersion';
import { definitionLedger } from '../orchestrators/definitionLedger';

df.app.orchestration(ORCHESTRATORS.imagePipeline, imagePipeline);
df.app.orchestration(ORCHESTRATORS.regionRollout, regionRollout);
df.app.orchestration(ORCHESTRATORS.rolloutVersion, rolloutVersion);
df.app.orchestration(ORCHESTRATORS.definitionLedger, definitionLedger);
