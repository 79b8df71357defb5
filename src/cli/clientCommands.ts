import { readFileSync } from 'node:fs';
import { ServiceBusClient } from '@azure/service-bus';
import { DefaultAzureCredential } from '@azure/identity';
import { arg, functionKeyFrom, hostFrom, keyHeaders, readLocalState } from './localState';
import { renderBuild, fetchBuild, watchBuild, TERMINAL } from './progress';
import type { CommandResult } from './planCommand';

/** The first argument that is not an option or an option's value. */
function positional(args: string[]): string | undefined {
  return args.find((a, i) => !a.startsWith('--') && !['--host', '--key'].includes(args[i - 1] ?? ''));
}

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
    exitCode: 0,
    stdout: `${headline}: ${body.instanceId}\n${why}Watch:  bif status ${body.instanceId} --watch\n`,
  };
}

/** `bif status <id> [--watch]`: the progress view from GET /api/builds/{id}. */
export async function statusCommand(args: string[]): Promise<CommandResult> {
  const id = positional(args);
  if (!id)
    return {
      exitCode: 2,
      stdout: 'usage: bif status <requestId|instanceId> [--watch] [--host URL] [--key KEY]\n',
    };
  const host = hostFrom(args);
  const key = functionKeyFrom(args);
  if (args.includes('--watch')) {
    const view = await watchBuild(host, id, (t) => process.stdout.write(t), 500, undefined, key);
    return { exitCode: view?.runtimeStatus === 'Completed' ? 0 : 1, stdout: '' };
  }
  const view = await fetchBuild(host, id, key);
  if (!view) return { exitCode: 1, stdout: `No build ${id}.\n` };
  return { exitCode: view.runtimeStatus === 'Failed' ? 1 : 0, stdout: `${renderBuild(view)}\n` };
}

/** `bif events`: tail the events topic (the local broker after `bif start`, or Azure with --namespace). */
export async function eventsCommand(args: string[]): Promise<CommandResult> {
  const local = readLocalState();
  const namespace = arg(args, 'namespace');
  const topic = arg(args, 'topic') ?? local?.eventsTopic ?? 'bif-events';
  const subscription = arg(args, 'subscription') ?? 'cli';
  const seconds = Number(arg(args, 'seconds') ?? 0);
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
