/**
 * The Functions entry point (package.json "main"). Registration only: each module registers its
 * triggers when imported. Settings are validated here, once, so a bad setting stops the app at
 * start-up naming every problem. Nothing under src/local is imported from here.
 */
import { appConfig } from '../compositionRoot';
import './planHttp';
import './orchestrations';
import './activities';
import './buildQueue';
import './buildsHttp';
import './galleryEvents';
import './refreshTimer';

appConfig();
