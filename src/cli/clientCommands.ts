import { readFileSync } from 'node:fs';
import { ServiceBusClient } from '@azure/service-bus';
import { DefaultAzureCredential } from '@azure/identity';
import { arg, functionKeyFrom, hostFrom, keyHeaders, readLocalState } from './localState';
import { renderBuild, fetchBuild, watchBuild, HostAnswerError, TERMINAL, type BuildRef } from './progress';
import type { CommandResult } from './planCommand';

/** The first argument that is not an option or an option's value. */
function positional(args: string[]): string | undefined {
  return args.find((a, i) => !a.startsWith('--') && !['--host', '--key'].includes(args[i - 1] ?? ''));
}

/**
 * Exit code of `bif submit` when the request is already known and nothing started (running or
 * completed): distinct from 0 so a script can tell "started" from "was already there" (README, Exit codes).
 */
export const EXIT_ALREADY_SUBMITTED = 4;

/**
 * `bif submit <request.json>`: POST /api/builds on the running host, with the function key. A
 * request whose earlier run failed or was terminated starts again; a running or completed one does not.
 */
export async function submitCommand(args: string[]): Promise<CommandResult> {
  const file = positional(args);
  if (!file) return { exitCode: 2, stdout: 'usage: bif submit <request.json> [--host URL] [--key KEY]\n' };
  const host = hostFrom(args);
  const response = await fetch(`${host}/api/builds`, {
    method: 'POST',
    body: readFileSync(file, 'utf8'),
    headers: { 'Content-Type': 'application/json', ...keyHeaders(functionKeyFrom(args)) },
  });
  const text = await response.text();
  let body: {
    instanceId?: string;
    outcome?: string;
    runtimeStatus?: string;
    previousStatus?: string;
    error?: string;
    findings?: { code: string; path: string; message: string }[];
    statusQueryGetUri?: string;
  } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { error: text };
  }
  if (response.status === 401)
    return {
      exitCode: 1,
      stdout: `The host wants a function key: run \`bif start\` here (it writes .bif/host-keys.json), or pass --key / set BIF_FUNCTION_KEY.\n`,
    };
  if (response.status === 422) {
    return {
      exitCode: 2,
      stdout: `Not valid:\n${(body.findings ?? []).map((f) => `  ${f.code} ${f.path}: ${f.message}`).join('\n')}\n`,
    };
  }
  if (response.status >= 400 && response.status !== 409)
    return { exitCode: 1, stdout: `The host answered ${response.status}: ${body.error ?? text}\n` };
  const headline =
    body.outcome === 'duplicate'
      ? 'Already submitted'
      : body.outcome === 'restarted'
        ? 'Restarted'
        : 'Started';
  const why =
    body.outcome === 'duplicate'
      ? `  It is ${body.runtimeStatus ?? 'known'}; only a failed or terminated build starts again.\n`
      : body.outcome === 'restarted'
        ? `  The previous run was ${body.previousStatus}; this request replaces it.\n`
        : '';
  return {
    exitCode: body.outcome === 'duplicate' ? EXIT_ALREADY_SUBMITTED : 0,
    stdout: `${headline}: ${body.instanceId}\n${why}Status: ${body.statusQueryGetUri}\nWatch:  bif status --instance ${body.instanceId} --watch\n`,
  };
}

/** Exit code of `bif status` when no host answers (1 is a failed build, 2 bad usage). */
export const EXIT_HOST_DOWN = 3;

/**
 * `bif status <requestId> | --instance <instanceId> [--watch] [--json]`: the progress view from
 * GET /api/builds/{requestId} or GET /api/builds/instances/{instanceId} (never guessed from the id's shape); with --json the
 * status object itself, for scripts — with --watch too, one JSON line per change (NDJSON). A host that does not answer is reported as down, with how to
 * start it, not as a stack trace.
 */
export async function statusCommand(args: string[]): Promise<CommandResult> {
  const instanceId = arg(args, 'instance');
  const requestId = args.find(
    (a) =>
      !a.startsWith('--') && !['--host', '--instance', '--key'].includes(args[args.indexOf(a) - 1] ?? ''),
  );
  const id: BuildRef | undefined = instanceId ? { instanceId } : requestId;
  if (!id)
    return {
      exitCode: 2,
      stdout:
        'usage: bif status <requestId> | --instance <instanceId> [--watch] [--json] [--host URL] [--key KEY]\n',
    };
  const host = hostFrom(args);
  const key = functionKeyFrom(args);
  const asJson = args.includes('--json');
  try {
    if (args.includes('--watch')) {
      const format = asJson ? 'ndjson' : 'view';
      const view = await watchBuild(host, id, (t) => process.stdout.write(t), 500, undefined, key, format);
      return { exitCode: view?.runtimeStatus === 'Completed' ? 0 : 1, stdout: '' };
    }
    const view = await fetchBuild(host, id, key);
    if (!view)
      return {
        exitCode: 1,
        stdout: asJson
          ? `${JSON.stringify({ error: { code: 'NotFound', message: `No build ${instanceId ?? requestId}.` } })}\n`
          : `No build ${instanceId ?? requestId}.\n`,
      };
    return {
      exitCode: view.runtimeStatus === 'Failed' ? 1 : 0,
      stdout: asJson ? `${JSON.stringify(view, null, 2)}\n` : `${renderBuild(view)}\n`,
    };
  } catch (error) {
    if (error instanceof HostAnswerError) return refused(error, asJson);
    if (!isConnectionFailure(error)) throw error;
    const message = hostDownMessage(host);
    return {
      exitCode: EXIT_HOST_DOWN,
      stdout: asJson ? `${JSON.stringify({ error: { code: 'HostDown', message } })}\n` : `${message}\n`,
    };
  }
}

/**
 * The host refused the read (a malformed id such as '../../x' is 400, a missing key 401): one line, or
 * with --json one error object, on stdout. A refusal of what was asked is bad usage (2); the host
 * failing (5xx) is 1.
 */
function refused(error: HostAnswerError, asJson: boolean): CommandResult {
  const code =
    error.status === 401 || error.status === 403
      ? 'Unauthorized'
      : error.status < 500
        ? 'BadRequest'
        : 'HostError';
  return {
    exitCode: error.status < 500 ? 2 : 1,
    stdout: asJson
      ? `${JSON.stringify({ error: { code, status: error.status, message: error.message } })}\n`
      : `${error.message}\n`,
  };
}

/** fetch() rejects with a TypeError whose cause carries the socket error code. */
export function isConnectionFailure(error: unknown): boolean {
  const code = ((error as { cause?: { code?: string } }).cause ?? {}).code;
  return ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_SOCKET'].includes(code ?? '');
}

export function hostDownMessage(host: string): string {
  const pid = readLocalState()?.pid;
  const who = pid ? ` (bif start, pid ${pid}, is not serving)` : '';
  return `The host at ${host} is down${who}. Start it with \`npm start\` (or \`node dist/cli/bif.js start\`): the local world in .bif/ resumes where it stopped and unfinished builds continue. Its log is .bif/host.log.`;
}

/** `bif events`: tail the events topic (the local broker after `bif start`, or Azure with --namespace). */
export async function eventsCommand(args: string[]): Promise<CommandResult> {
  const local = readLocalState();
  const namespace = arg(args, 'namespace');
  const topic = arg(args, 'topic') ?? local?.eventsTopic ?? 'bif-events';
  const subscription = arg(args, 'subscription') ?? 'cli';
  const seconds = Number(arg(args, 'seconds') ?? 0);
  if (!Number.isFinite(seconds) || seconds < 0)
    return {
      exitCode: 2,
      stdout: `--seconds must be a number of seconds, 0 or more (0: until Ctrl-C); got ${JSON.stringify(arg(args, 'seconds'))}\n`,
    };
  const client = namespace
    ? new ServiceBusClient(namespace, new DefaultAzureCredential())
    : local?.serviceBusConnection
      ? new ServiceBusClient(local.serviceBusConnection)
      : undefined;
  if (!client)
    return {
      exitCode: 2,
      stdout: 'No broker: run `bif start` first, or pass --namespace <ns>.servicebus.windows.net\n',
    };
  const receiver = client.createReceiver(topic, subscription, { receiveMode: 'receiveAndDelete' });
  const deadline = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
  try {
    while (Date.now() < deadline) {
      for (const m of await receiver.receiveMessages(20, { maxWaitTimeInMs: 1000 })) {
        const e = m.body as { type: string; subject: string; time: string };
        process.stdout.write(
          `${e.time}  ${e.type.replace('BatchImageFactory.', '').padEnd(18)} ${e.subject}\n`,
        );
      }
    }
  } finally {
    await receiver.close();
    await client.close();
  }
  return { exitCode: 0, stdout: '' };
}

export { TERMINAL };
