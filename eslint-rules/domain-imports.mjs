// src/domain is the pure core every layer shares: it may name only modules inside src/domain and a
// short list of packages. Specifiers are resolved against the file's folder, so `./../x`,
// `./a/../../x` and files at any depth are judged by where the path lands, not by how it is spelled.
import path from 'node:path';
import { moduleSpecifierVisitors } from './moduleSpecifiers.mjs';

const isRelative = (specifier) => specifier.startsWith('.') || path.isAbsolute(specifier);

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'src/domain imports only src/domain and the allowed packages' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          allow: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      outside:
        "src/domain imports only src/domain: '{{specifier}}' ({{form}}) resolves to {{target}}. Move the shape into the domain, or the code out of it.",
      package:
        "src/domain imports only src/domain and {{allowed}}: '{{specifier}}' ({{form}}) is neither. No SDKs, no I/O: take the value as a parameter.",
      computed:
        'src/domain imports only src/domain: a {{form}} with a computed name cannot be checked. Name the module with a string literal.',
    },
  },
  create(context) {
    const { root = 'src/domain', allow = ['zod', 'node:crypto'] } = context.options[0] ?? {};
    const domainRoot = path.resolve(context.cwd, root);
    const folder = path.dirname(context.filename);
    return moduleSpecifierVisitors((node, specifier, form) => {
      if (specifier === undefined) {
        context.report({ node, messageId: 'computed', data: { form } });
      } else if (isRelative(specifier)) {
        const target = path.resolve(folder, specifier);
        const inside = path.relative(domainRoot, target);
        if (inside.startsWith('..') || path.isAbsolute(inside)) {
          const shown = path.relative(context.cwd, target) || '.';
          context.report({ node, messageId: 'outside', data: { specifier, form, target: shown } });
        }
      } else if (!allow.includes(specifier)) {
        context.report({ node, messageId: 'package', data: { specifier, form, allowed: allow.join(', ') } });
      }
    });
  },
};
