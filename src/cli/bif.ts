#!/usr/bin/env node
import { planCommand, EXIT_UNEXPECTED, type CommandResult } from './planCommand';

/** The `bif` command. Sub-commands are small modules; this file only dispatches. */
const USAGE = `usage: bif <command>

commands:
  plan <request.json> [--json] [--supported-images <file>]   validate and plan a build request, no side effects
`;

function main(argv: string[]): CommandResult {
  const [command, ...rest] = argv;
  switch (command) {
    case 'plan':
      return planCommand(rest, new Date());
    case undefined:
    case '--help':
    case 'help':
      return { exitCode: 0, stdout: USAGE };
    default:
      return { exitCode: 2, stdout: `bif: unknown command "${command}"\n\n${USAGE}` };
  }
}

try {
  const result = main(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.exitCode = result.exitCode;
} catch (error) {
  process.stderr.write(`bif: ${(error as Error).message}\n`);
  process.exitCode = EXIT_UNEXPECTED;
}
