import { mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../../helpers/requests';
import { ArmMirror, apply, plan } from './armMirror';
import { declaredParams, INFRA, readInfra } from './bicep';
import { registeredFunctions } from './app';

/**
 * `azd up` replayed against the ARM mirror: provision (infra/main.bicep), deploy (the compiled app's
 * functions), then the postdeploy hook from azure.yaml, run for real with a stand-in `az` that
 * answers like ARM and records what it was asked to deploy.
 */
const SUB = '00000000-0000-0000-0000-000000000001';
const GALLERY_RG = `/subscriptions/${SUB}/resourceGroups/rg-hpc-images`;
const GALLERY_ID = `${GALLERY_RG}/providers/Microsoft.Compute/galleries/galHpcImages`;
const APP_ID = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Web/sites/func-abc123`;
const IDENTITY_ID = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-abc123`;
const provisionParams = {
  environmentName: 'dev',
  location: 'westeurope',
  galleryId: GALLERY_ID,
  buildResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-render-build`,
  batchAccountIds: `/subscriptions/${SUB}/resourceGroups/rg-batch/providers/Microsoft.Batch/batchAccounts/batchweu`,
};

/** What azd hands the hook: the outputs of main.bicep (values as a provision of provisionParams would give). */
const outputs: Record<string, string> = {
  AZURE_FUNCTION_APP_ID: APP_ID,
  BIF_GALLERY_EVENTS_FUNCTION: 'galleryEvents',
  BIF_GALLERY_ID: GALLERY_ID,
  BIF_GALLERY_TOPIC_NAME: 'evgt-gallery-abc123',
  BIF_GALLERY_TOPIC_SUBSCRIPTION_ID: SUB,
  BIF_GALLERY_TOPIC_RESOURCE_GROUP: 'rg-hpc-images',
  BIF_GALLERY_TOPIC_REUSED: 'false',
  BIF_DEAD_LETTER_STORAGE_ID: `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.Storage/storageAccounts/stabc123`,
  BIF_DEAD_LETTER_CONTAINER: 'eventgrid-deadletter',
  AZURE_USER_ASSIGNED_IDENTITY_ID: IDENTITY_ID,
};

/** A stand-in `az` on PATH: logs every call, answers `az rest` GETs from a fake ARM, accepts deployments. */
function fakeAz(arm: Record<string, unknown>): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bif-fake-az-'));
  const log = join(dir, 'calls.jsonl');
  writeFileSync(join(dir, 'arm.json'), JSON.stringify(arm));
  writeFileSync(
    join(dir, 'az'),
    `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
if (args[0] === 'rest') {
  const url = args[args.indexOf('--url') + 1].split('?')[0].toLowerCase();
  const arm = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, 'arm.json'))}, 'utf8'));
  const hit = Object.entries(arm).find(([id]) => id.toLowerCase() === url);
  if (!hit) { process.stderr.write('ERROR: (NotFound) ' + url + '\\n'); process.exit(1); }
  console.log(JSON.stringify(hit[1], null, 2));
  process.exit(0);
}
if (args[0] === 'deployment') process.exit(0);
process.stderr.write('fake az: unexpected command ' + args.join(' ') + '\\n');
process.exit(2);
`,
  );
  chmodSync(join(dir, 'az'), 0o755);
  return { dir, log };
}

/** The function resource ARM lists once code is deployed (Microsoft.Web/sites/functions). */
const functionResource = (name: string, trigger: string) => ({
  id: `${APP_ID}/functions/${name}`,
  name: `func-abc123/${name}`,
  properties: { config: { bindings: [{ type: trigger, direction: 'in', name: 'event' }] } },
});

function postdeployHook(): string {
  const yaml = readFileSync(join(ROOT, 'azure.yaml'), 'utf8');
  const m = /\n {2}postdeploy:\n(?: {4}.*\n)*? {6}run: (\S+)/.exec(yaml);
  if (!m) throw new Error('azure.yaml has no postdeploy hook with a posix run');
  return join(ROOT, m[1]!);
}

function runHook(arm: Record<string, unknown>, env: Record<string, string>) {
  const az = fakeAz(arm);
  const result = spawnSync('sh', [postdeployHook()], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: `${az.dir}:/usr/bin:/bin`,
      BIF_HOOK_WAIT_ATTEMPTS: '2',
      BIF_HOOK_WAIT_SECONDS: '0',
      ...env,
    },
  });
  const calls = existsSync(az.log)
    ? readFileSync(az.log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
    : [];
  return { ...result, calls, deployments: calls.filter((c) => c[0] === 'deployment') };
}

/** `--parameters k=v …` of an `az deployment group create` call. */
function deploymentParameters(call: string[]): Record<string, string> {
  const at = call.indexOf('--parameters');
  const out: Record<string, string> = {};
  for (const arg of call.slice(at + 1)) {
    if (arg.startsWith('--')) break;
    const eq = arg.indexOf('=');
    out[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return out;
}
const flag = (call: string[], name: string) => call[call.indexOf(name) + 1]!;

describe('first azd up in the ARM mirror (provision, deploy, postdeploy)', () => {
  it('provisions without any Event Grid subscription to a function: the function does not exist before code is deployed', () => {
    const mirror = new ArmMirror();
    const planned = plan('main.bicep', provisionParams);
    expect(() => apply(mirror, planned)).not.toThrow();
    expect(planned.filter((r) => /eventSubscriptions$/.test(r.decl.type)).map((r) => r.file)).toEqual([]);
    expect(mirror.systemTopics.get(GALLERY_RG.toLowerCase())).toBeDefined();
  });

  it('subscribes after deploy through the postdeploy hook, to the Event Grid trigger the compiled app registers', () => {
    const functions = registeredFunctions();
    const name = outputs.BIF_GALLERY_EVENTS_FUNCTION!;
    expect(functions.get(name)).toBe('eventGridTrigger');
    // Every value the hook reads is an output of main.bicep, so azd puts it in the hook's environment.
    const main = readInfra('main.bicep');
    for (const output of Object.keys(outputs))
      expect(main).toMatch(new RegExp(`^output ${output} string = `, 'm'));
    expect(main).toMatch(new RegExp(`^var galleryEventsFunction = '${name}'$`, 'm'));

    const hook = runHook(
      { [`${APP_ID}/functions/${name}`]: functionResource(name, functions.get(name)!) },
      outputs,
    );
    expect(hook.stderr).toBe('');
    expect(hook.status).toBe(0);
    expect(hook.deployments).toHaveLength(1);
    const call = hook.deployments[0]!;
    expect([flag(call, '--subscription'), flag(call, '--resource-group')]).toEqual([SUB, 'rg-hpc-images']);
    const template = relative(INFRA, join(ROOT, 'infra', flag(call, '--template-file').split('/infra/')[1]!));
    const params = deploymentParameters(call);
    const declared = declaredParams(readInfra(template));
    expect(Object.keys(params).sort()).toEqual(declared.map((p) => p.name).sort());
    expect(params).toEqual({
      topicName: outputs.BIF_GALLERY_TOPIC_NAME,
      galleryId: outputs.BIF_GALLERY_ID,
      functionAppId: outputs.AZURE_FUNCTION_APP_ID,
      functionName: name,
      deadLetterStorageId: outputs.BIF_DEAD_LETTER_STORAGE_ID,
      deadLetterContainer: outputs.BIF_DEAD_LETTER_CONTAINER,
      identityId: outputs.AZURE_USER_ASSIGNED_IDENTITY_ID,
    });

    // The post-deploy template, applied where the hook deploys it: refused before the code is
    // deployed, accepted after, and it targets the registered function.
    const planned = plan(template, params, GALLERY_RG);
    expect(() => apply(new ArmMirror(), planned)).toThrow(/Destination endpoint not found/);
    const mirror = new ArmMirror();
    mirror.systemTopics.set(GALLERY_RG.toLowerCase(), outputs.BIF_GALLERY_TOPIC_NAME!);
    mirror.deployCode(APP_ID, functions);
    apply(mirror, planned);
    expect(mirror.created).toEqual([`eventSubscription subscription -> ${APP_ID}/functions/${name}`]);
  });

  it('gates the subscription on the deployed function: no deployment, and a message naming the function and the fix', () => {
    const hook = runHook({}, outputs);
    expect(hook.status).toBe(1);
    expect(hook.deployments).toEqual([]);
    expect(hook.stderr).toContain("function 'galleryEvents' is not listed as an Event Grid trigger");
    expect(hook.stderr).toContain('azd hooks run postdeploy');
    // An HTTP function of that name is not a valid Event Grid destination either.
    const wrongTrigger = runHook(
      { [`${APP_ID}/functions/galleryEvents`]: functionResource('galleryEvents', 'httpTrigger') },
      outputs,
    );
    expect(wrongTrigger.deployments).toEqual([]);
  });

  it('names every missing azd output instead of deploying half a subscription', () => {
    const partial = Object.fromEntries(
      Object.entries(outputs).filter(
        ([k]) => k !== 'AZURE_FUNCTION_APP_ID' && k !== 'BIF_DEAD_LETTER_CONTAINER',
      ),
    );
    const hook = runHook({}, partial);
    expect(hook.status).toBe(1);
    expect(hook.calls).toEqual([]);
    expect(hook.stderr).toContain('AZURE_FUNCTION_APP_ID BIF_DEAD_LETTER_CONTAINER');
    expect(hook.stderr).toContain('azd env refresh');
  });
});

describe('one Event Grid system topic per source', () => {
  const existing = 'rg-hpc-images-4f1c2a';
  const withTopic = () => {
    const mirror = new ArmMirror();
    mirror.systemTopics.set(GALLERY_RG.toLowerCase(), existing);
    return mirror;
  };

  it('fails to create a second topic on the gallery resource group (Azure allows one per source)', () => {
    expect(() => apply(withTopic(), plan('main.bicep', provisionParams))).toThrow(
      /only one Azure Event Grid system topic is allowed per source/,
    );
  });

  it('reuses the existing topic when its name is given: the module declares it existing and creates none', () => {
    const mirror = withTopic();
    const planned = plan('main.bicep', { ...provisionParams, existingGalleryTopicName: existing });
    expect(planned.filter((r) => r.decl.type === 'Microsoft.EventGrid/systemTopics')).toEqual([]);
    expect(() => apply(mirror, planned)).not.toThrow();
    expect(mirror.systemTopics.get(GALLERY_RG.toLowerCase())).toBe(existing);
    const parameters = JSON.parse(readInfra('main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.existingGalleryTopicName?.value).toBe('${BIF_EVENTGRID_TOPIC_NAME=}');
  });

  it('checks that a reused topic carries the app identity before subscribing, and says how to attach it', () => {
    const reused = { ...outputs, BIF_GALLERY_TOPIC_NAME: existing, BIF_GALLERY_TOPIC_REUSED: 'true' };
    const topicUrl = `${GALLERY_RG}/providers/Microsoft.EventGrid/systemTopics/${existing}`;
    const fn = {
      [`${APP_ID}/functions/galleryEvents`]: functionResource('galleryEvents', 'eventGridTrigger'),
    };
    const without = runHook(
      { ...fn, [topicUrl]: { name: existing, identity: { type: 'SystemAssigned' } } },
      reused,
    );
    expect(without.status).toBe(1);
    expect(without.deployments).toEqual([]);
    expect(without.stderr).toContain(`az eventgrid system-topic update -g rg-hpc-images -n ${existing}`);
    const withIdentity = runHook(
      {
        ...fn,
        [topicUrl]: {
          name: existing,
          identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
        },
      },
      reused,
    );
    expect(withIdentity.stderr).toBe('');
    expect(withIdentity.deployments).toHaveLength(1);
    expect(deploymentParameters(withIdentity.deployments[0]!).topicName).toBe(existing);
  });
});
