import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * Issue #15: go-to-definition from any step call in an orchestrator opens the activity itself — what an
 * editor does, asked of the TypeScript language service over the app's own tsconfig.
 */
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../..');

function languageService(): ts.LanguageService {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configPath, ts.sys.readFile).config,
    ts.sys,
    ROOT,
  );
  return ts.createLanguageService({
    getScriptFileNames: () => config.fileNames,
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) =>
      existsSync(f) ? ts.ScriptSnapshot.fromString(readFileSync(f, 'utf8')) : undefined,
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
  });
}

/** Every `activities(context).<name>` in the orchestrators, and where go-to-definition on `<name>` lands. */
function stepCalls(service: ts.LanguageService) {
  const folder = join(ROOT, 'src/orchestrators');
  return readdirSync(folder).flatMap((file) => {
    const path = join(folder, file);
    const text = readFileSync(path, 'utf8');
    return (
      [...text.matchAll(/activities\(context\)\.([A-Za-z]+)/g)]
        // Code only: not the examples in doc comments.
        .filter((m) => !/^\s*(\*|\/\/|\/\*)/.test(text.slice(text.lastIndexOf('\n', m.index) + 1, m.index)))
        .map((m) => {
          const at = m.index + m[0].length - 1;
          const targets = (service.getDefinitionAtPosition(path, at) ?? []).map((d) =>
            relative(ROOT, d.fileName),
          );
          return { call: `${file}: ${m[1]}`, activity: m[1]!, targets };
        })
    );
  });
}

describe('go-to-definition on a step call', () => {
  const service = languageService();
  const calls = stepCalls(service);

  it('finds the step calls (imagePipeline calls preflight)', () => {
    expect(calls.map((c) => c.call)).toContain('imagePipeline.ts: preflight');
    expect(calls.length).toBeGreaterThan(15);
  });

  it('opens the activity module that defines it, for every call', () => {
    const wrong = calls.filter(
      (c) =>
        !c.targets.some((t) => t.startsWith('src/activities/') && !/\/(catalog|index|names)\.ts$/.test(t)),
    );
    expect(wrong).toEqual([]);
  });

  it('opens preflight in src/activities/preflight.ts', () => {
    const preflight = calls.find((c) => c.call === 'imagePipeline.ts: preflight')!;
    expect(preflight.targets).toContain('src/activities/preflight.ts');
  });
});
