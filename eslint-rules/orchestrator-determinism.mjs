// Durable replays orchestrator code from its history, so an orchestrator must make the same decisions
// every time: no ambient time, randomness, process state, host timers or I/O. The rule works on scope
// references rather than on spellings, so `const D = Date`, `Math['random']`, `globalThis.Date` and
// `require` are refused like the plain forms; a local variable that shadows a global is not a global.

const TIME = 'Ambient time differs between replays: use context.df.currentUtcDateTime.';
const RANDOM = 'Randomness differs between replays: use context.df.newGuid (or an activity).';
const TIMER = 'Host timers are not replayed: use context.df.createTimer.';
const IO = 'No I/O in orchestrators: do it in an activity and pass the result in.';
const LOADING =
  'Orchestrators load code statically (import, or import type for activities); any I/O belongs in an activity.';
const STRINGS = 'Code from strings escapes the determinism rules: write the code itself.';
const GC = 'The garbage collector runs differently between replays: keep ordinary references.';

/** Globals an orchestrator may not touch at all, with what to use instead. */
const BANNED = {
  performance: TIME,
  crypto: RANDOM,
  process:
    'No process state in orchestrators: pass settings in the orchestration input (read them in the trigger or an activity).',
  setTimeout: TIMER,
  setInterval: TIMER,
  setImmediate: TIMER,
  clearTimeout: TIMER,
  clearInterval: TIMER,
  clearImmediate: TIMER,
  queueMicrotask:
    'Work scheduled outside the orchestrator is not replayed: yield a durable task (an activity, a timer).',
  fetch: IO,
  XMLHttpRequest: IO,
  WebSocket: IO,
  navigator: IO,
  require: LOADING,
  module: LOADING,
  exports: LOADING,
  __dirname: LOADING,
  __filename: LOADING,
  globalThis:
    'globalThis reaches every global past these rules: use context.df.* for time, ids and timers, an activity for I/O.',
  global:
    'global reaches every global past these rules: use context.df.* for time, ids and timers, an activity for I/O.',
  Intl: "Intl formats with the host's time zone and locale, which may differ between replays: format ISO strings, or in an activity.",
  eval: STRINGS,
  Function: STRINGS,
  WeakRef: GC,
  FinalizationRegistry: GC,
};

const DATE =
  'Ambient time differs between replays: use context.df.currentUtcDateTime. Date is allowed only as a type and as new Date(value) with an argument.';
const MATH_RANDOM =
  'Randomness differs between replays: use context.df.newGuid. Math is allowed only as Math.min, Math.round, …';

const isTypeQuery = (identifier) => identifier.parent?.type === 'TSTypeQuery';

/** `new Date(x)` (a given instant) is deterministic; `new Date()`, `Date()` and `Date.now()` are not. */
function dateIsSafe(identifier) {
  const parent = identifier.parent;
  if (
    parent?.type === 'BinaryExpression' &&
    parent.operator === 'instanceof' &&
    parent.right === identifier
  ) {
    return true;
  }
  return (
    parent?.type === 'NewExpression' &&
    parent.callee === identifier &&
    parent.arguments.length > 0 &&
    parent.arguments.every((a) => a.type !== 'SpreadElement')
  );
}

/** Math's functions are pure except Math.random; computed access could be anything, so it is refused. */
function mathIsSafe(identifier) {
  const parent = identifier.parent;
  return (
    parent?.type === 'MemberExpression' &&
    parent.object === identifier &&
    !parent.computed &&
    parent.property.name !== 'random'
  );
}

function problemWith(identifier) {
  const name = identifier.name;
  if (name === 'Date') return dateIsSafe(identifier) ? undefined : DATE;
  if (name === 'Math') return mathIsSafe(identifier) ? undefined : MATH_RANDOM;
  return Object.hasOwn(BANNED, name) ? BANNED[name] : undefined;
}

/** Every reference to a global: unresolved ones, and those bound to globals no code declared (lib globals). */
function globalReferences(globalScope) {
  const declaredInLib = globalScope.variables.filter((v) => v.defs.length === 0).flatMap((v) => v.references);
  return [...new Set([...globalScope.through, ...declaredInLib])];
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'orchestrators stay deterministic under Durable replay' },
    schema: [],
    messages: { banned: '{{why}}' },
  },
  create(context) {
    const report = (node, why) => context.report({ node, messageId: 'banned', data: { why } });
    return {
      'Program:exit'() {
        for (const ref of globalReferences(context.sourceCode.scopeManager.globalScope)) {
          if (ref.isTypeReference && !ref.isValueReference) continue;
          if (isTypeQuery(ref.identifier)) continue;
          const why = problemWith(ref.identifier);
          if (why) report(ref.identifier, why);
        }
      },
      ImportExpression: (node) => report(node, `A dynamic import loads code at run time. ${LOADING}`),
      TSImportEqualsDeclaration: (node) => {
        if (node.moduleReference.type === 'TSExternalModuleReference') report(node, LOADING);
      },
      // `new (context.df.currentUtcDateTime.constructor)()` is `new Date()` under another name.
      'MemberExpression[property.name="constructor"], MemberExpression[property.value="constructor"]': (
        node,
      ) => report(node, `.constructor reaches Date or Function past these rules. ${DATE}`),
      MetaProperty: (node) => {
        if (node.meta.name === 'import') report(node, `import.meta describes the host. ${IO}`);
      },
    };
  },
};
