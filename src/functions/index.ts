/**
 * The Functions entry point (package.json "main"). Registration only: each module registers its
 * triggers when imported. Nothing under src/local is imported from here.
 */
import './planHttp';
