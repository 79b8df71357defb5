// Every syntax form by which a module names another module, in one place, so the architecture rules
// cannot be walked around with a form they forgot (dynamic import, require, `import x = require`,
// `export ... from`, `import('x').T` types).

/** The specifier text when it is a constant, or undefined when it is computed at run time. */
function constantText(node) {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return undefined;
}

/**
 * ESLint visitors calling `report(node, specifier, form)` for each module reference; `specifier` is
 * undefined when the name is computed (which no rule can check, so callers refuse it).
 */
export function moduleSpecifierVisitors(report) {
  const fromSource = (form) => (node) => {
    if (node.source) report(node.source, constantText(node.source), form);
  };
  return {
    ImportDeclaration: fromSource('import'),
    ExportNamedDeclaration: fromSource('export from'),
    ExportAllDeclaration: fromSource('export from'),
    ImportExpression: (node) => report(node, constantText(node.source), 'dynamic import'),
    TSImportEqualsDeclaration: (node) => {
      if (node.moduleReference.type === 'TSExternalModuleReference') {
        report(node, constantText(node.moduleReference.expression), 'import = require');
      }
    },
    TSImportType: (node) =>
      report(node, constantText(node.argument?.literal ?? node.argument), 'import() type'),
    CallExpression: (node) => {
      if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
        report(node, constantText(node.arguments[0]), 'require');
      }
    },
  };
}
