/**
 * The Functions entry point (package.json "main"). Registration only: each module registers its
 * triggers when imported. Settings are validated here, once, so a bad setting stops the app at
 * start-up naming every problem. Nothing under src/local is imported from here, and no Azure SDK: the
 * composition root loads each on first use, so a cold start pays only for @azure/functions and
 * durable-functions (test/integration/artifact.test.ts, docs/benchmarks.md). package.json "main" points
 * here (dist/functions/index.js); azd deploys it bundled (scripts/bundle.js).
 */
import { appConfig } from '../compositionRoot';
import './planHttp';
import './simulateHttp';
import './orchestrations';
import './activities';
import './buildQueue';
import './buildServiceBus';
import './buildsHttp';
import './approveHttp';
import './dashboardHttp';
import './galleryEvents';
import './refreshTimer';

appConfig();
