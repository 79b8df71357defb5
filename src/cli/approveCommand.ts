import { arg, functionKeyFrom, hostFrom, keyHeaders } from './localState';
import type { CommandResult } from './planCommand';
import { EXIT_HOST_DOWN, hostDownMessage, isConnectionFailure } from './clientCommands';

const USAGE =
  'usage: bif approve <requestId> [--wave N] [--by NAME] [--comment TEXT] [--host URL] [--key KEY]\n';
const VALUED = ['--wave', '--by', '--comment', '--host', '--key'];

/**
 * `bif approve <requestId> [--wave N]`: POST /api/builds/{id}/approve, which lets a wave that waits for
 * an approval start (or approves one still to come). Exit 0 when the approval was taken, 4 when there is
 * nothing to approve (409: the host names the next wave), 1 for a missing build or a host error, 2 for
 * bad usage, 3 when no host answers (as `bif status`).
 */
export async function approveCommand(args: string[]): Promise<CommandResult> {
  // A flag given without its value (`--wave` last, or followed by another flag) would otherwise be
  // dropped silently and approve the next wave instead of the one meant.
  const bare = VALUED.find((flag, _, all) => {
    const i = args.indexOf(flag);
    return i >= 0 && (args[i + 1] === undefined || all.includes(args[i + 1]!));
  });
  if (bare) return { exitCode: 2, stdout: `${bare} needs a value.\n${USAGE}` };
  const requestId = args.find((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? ''));
  const waveText = arg(args, 'wave');
  const wave = waveText === undefined ? undefined : Number(waveText);
  if (!requestId) return { exitCode: 2, stdout: USAGE };
  if (wave !== undefined && !(Number.isInteger(wave) && wave >= 1))
    return {
      exitCode: 2,
      stdout: `--wave must be a wave number, 1 or more; got ${JSON.stringify(waveText)}\n`,
    };
  const by = arg(args, 'by') ?? process.env.USER;
  const comment = arg(args, 'comment');
  const body = {
    ...(wave ? { wave } : {}),
    ...(by ? { approvedBy: by } : {}),
    ...(comment ? { comment } : {}),
  };
  const host = hostFrom(args);
  let response: Response;
  try {
    response = await fetch(`${host}/api/builds/${encodeURIComponent(requestId)}/approve`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...keyHeaders(functionKeyFrom(args)) },
    });
  } catch (error) {
    if (!isConnectionFailure(error)) throw error;
    return { exitCode: EXIT_HOST_DOWN, stdout: `${hostDownMessage(host)}\n` };
  }
  return answerOf(response, requestId);
}

async function answerOf(response: Response, requestId: string): Promise<CommandResult> {
  const text = await response.text();
  let answer: { error?: string; approved?: { wave: number } } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    answer = { error: text };
  }
  if (response.status === 202)
    return { exitCode: 0, stdout: `Approved wave ${answer.approved?.wave} of ${requestId}.\n` };
  if (response.status === 409) return { exitCode: 4, stdout: `${answer.error}\n` };
  if (response.status === 401)
    return { exitCode: 1, stdout: 'The host wants a function key: pass --key or set BIF_FUNCTION_KEY.\n' };
  return { exitCode: response.status === 400 ? 2 : 1, stdout: `${answer.error ?? text}\n` };
}
