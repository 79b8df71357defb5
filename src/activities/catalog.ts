/**
 * Every module that holds activities, re-exported whole (`export *`, not named re-exports): a namespace
 * of these is what orchestrators borrow their types from (`import type * as catalog`), and because
 * `export *` keeps each function's own symbol, go-to-definition on `activities(context).preflight`
 * opens `preflight` itself (a named re-export would stop at the re-export line).
 */
export * from './preflight';
export * from './provisioning';
export * from './pools';
export * from './cutover';
export * from './capacityFacts';
export * from './poolHealth';
export * from './events';
export * from './retention';
export * from './ledger';
export * from './cleanup';
export * from './jobs';
export * from './timings';
