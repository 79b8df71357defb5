#!/usr/bin/env node
import { planCommand, EXIT_UNEXPECTED, type CommandResult } from './planCommand';
import { startCommand } from './startCommand';
import { eventsCommand, statusCommand, submitCommand } from './clientCommands';
import { cleanCommand } from './cleanCommand';
import { approveCommand } from './approveCommand';
import { simulateCommand } from './simulateCommand';

/** The `bif` command. Sub-commands are small modules; this file only dispatches. */
const USAGE = `usage: bif <command>

commands:
  plan <request.json> [--json] [--supported-images <file>]   validate and plan a build request, no side effects
  start [--target simulator|azure] [--once] [--speed S] [--request FILE] [--no-submit] [--port N]
                                                             run the app locally (simulator: the whole local world)
  simulate <request.json> [--timings FILE] [--json] [--speed S]
                                                             what-if: predicted timeline per region (Gantt),
                                                             makespan, critical region, vs the barrier strategy
  submit <request.json> [--host URL]                          submit a build to the running host
  status <requestId> [--watch] [--json] [--host URL]          progress of a build (--json: the status object;
                                                             with --watch, one JSON line per change)
  approve <requestId> [--wave N] [--by NAME] [--comment T]    let a wave that waits for an approval start
  events [--seconds N] [--namespace NS] [--topic T]           tail the events topic
  clean                                                       remove the local world in .bif/ (stop bif start first)
`;

async function main(argv: string[]): Promise<CommandResult> {
  const [command, ...rest] = argv;
  // `bif start --help` must print the usage, not start a world and submit the example.
  if (rest.includes('--help') || rest.includes('-h')) return { exitCode: 0, stdout: USAGE };
  switch (command) {
    case 'plan':
      return planCommand(rest, new Date());
    case 'start':
      return startCommand(rest);
    case 'simulate':
      return simulateCommand(rest);
    case 'submit':
      return submitCommand(rest);
    case 'status':
      return statusCommand(rest);
    case 'events':
      return eventsCommand(rest);
    case 'approve':
      return approveCommand(rest);
    case 'clean':
      return cleanCommand();
    case undefined:
    case '--help':
    case 'help':
      return { exitCode: 0, stdout: USAGE };
    default:
      return { exitCode: 2, stdout: `bif: unknown command "${command}"\n\n${USAGE}` };
  }
}

// A reader that stops early (`bif plan … | head -1`) closes the pipe: that is not a failure, end quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2))
  .then((result) => {
    process.stdout.write(result.stdout);
    process.exitCode = result.exitCode;
  })
  .catch((error: unknown) => {
    process.stderr.write(`bif: ${(error as Error).message}\n`);
    process.exitCode = EXIT_UNEXPECTED;
  })
  // Clients and servers may leave handles open; a finished command must end.
  .finally(() => setTimeout(() => process.exit(process.exitCode ?? 0), 50).unref());
