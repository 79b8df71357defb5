import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SETTINGS } from '../../../src/config/settings';
import { VERSION_WRITE, WRITE_SUCCESS } from '../../../src/triggers/galleryEvents';
import { ROOT } from '../../helpers/requests';
import { bicepFiles, block, declaredParams, INFRA, keys, readInfra as read } from './bicep';
import { registeredFunctions } from './app';
import {
  BUILD_QUEUE_MAX_DELIVERY_COUNT,
  DEFAULT_BROKER_CONFIG,
} from '../../../src/local/servicebus/defaultConfig';

/**
 * No Bicep compiler can run here, so these tests tie infra/ to the code: settings, names, filters and
 * roles must agree, and modules must be called with the parameters they declare.
 */
const functionApp = read('modules/functionapp.bicep');
const main = read('main.bicep');

describe('infra is tied to the code', () => {
  it('sets every setting the config module reads (and no local-only one)', () => {
    for (const setting of Object.values(SETTINGS)) {
      const set = functionApp.includes(`name: '${setting.name}'`);
      expect({ setting: setting.name, set }).toEqual({
        setting: setting.name,
        set: !('localOnly' in setting && setting.localOnly),
      });
    }
  });

  it('uses identity-based connections only', () => {
    expect(functionApp).toMatch(/AzureWebJobsStorage__credential', value: 'managedidentity'/);
    expect(functionApp).not.toMatch(/AccountKey|SharedAccessKey|listKeys/);
    expect(read('modules/storage.bicep')).toMatch(/allowSharedKeyAccess: false/);
    expect(read('modules/servicebus.bicep')).toMatch(/disableLocalAuth: true/);
    expect(read('modules/monitoring.bicep')).toMatch(/DisableLocalAuth: true/);
  });

  it('names the queues and the topic the app uses, with duplicate detection on the topic', () => {
    expect(main).toMatch(new RegExp(`param buildQueueName string = '${SETTINGS.buildQueue.default}'`));
    expect(main).toMatch(new RegExp(`param eventsTopicName string = '${SETTINGS.eventsTopic.default}'`));
    const storage = read('modules/storage.bicep');
    expect(storage).toMatch(/name: buildQueueName/);
    // The queue function writes invalid requests to %BIF_BUILD_QUEUE%-poison.
    expect(readFileSync(join(ROOT, 'src/functions/buildQueue.ts'), 'utf8')).toContain(
      "'%BIF_BUILD_QUEUE%-poison'",
    );
    expect(storage).toContain("name: '${buildQueueName}-poison'");
    expect(read('modules/servicebus.bicep')).toMatch(/requiresDuplicateDetection: true/);
    expect(read('modules/servicebus.bicep')).toMatch(
      /sqlExpression: 'type = \\'BatchImageFactory.Pipeline.Failed\\''/,
    );
  });

  it('filters Event Grid to exactly what galleryEvents accepts, and targets a function the app registers', () => {
    const eventgrid = read('postdeploy/galleryEvents.bicep');
    expect(eventgrid).toContain(`includedEventTypes: ['${WRITE_SUCCESS}']`);
    expect(eventgrid).toContain(`values: ['${VERSION_WRITE}']`);
    expect(eventgrid).toContain("key: 'data.operationName'");
    expect(eventgrid).toMatch(/deadLetterWithResourceIdentity/);
    expect(eventgrid).toContain("resourceId: '${functionAppId}/functions/${functionName}'");
    const functionName = /^var galleryEventsFunction = '(\w+)'$/m.exec(main)![1]!;
    const registered = registeredFunctions();
    expect(registered.get(functionName)).toBe('eventGridTrigger');
    expect(registered.get('buildRequests')).toBe('queueTrigger');
    expect(registered.get('refreshImages')).toBe('timerTrigger');
  });

  it('names every role assignment guid(scope, principal, role), explains it, and uses known built-in roles', () => {
    const roleIds = read('modules/roleIds.bicep');
    const known = Object.fromEntries(
      [...roleIds.matchAll(/(\w+): '([0-9a-f-]{36})'/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect(known).toEqual({
      storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
      serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
      monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
      computeGalleryArtifactsPublisher: '85a2d0d9-2eba-4c9c-b355-11c2cc0788ab',
      reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
      diskBackupReader: '3e5e47e6-65f7-47ef-90b5-e5dd4d455f24',
      batchDataContributor: '6aaa78f1-f7de-44ca-8722-c64a23943cae',
      managedIdentityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830',
    });
    let assignments = 0;
    for (const file of bicepFiles()) {
      const text = read(file);
      for (const m of text.matchAll(
        /\n((?:\/\/[^\n]*\n)*)resource \w+ 'Microsoft.Authorization\/roleAssignments@[^']+' = \{/g,
      )) {
        assignments++;
        const body = block(text, m.index!);
        // A built-in role by its id, or a custom role defined in the same file (roles/working.bicep).
        const name = /name: guid\(([^,]+), principalId, (?:roles\.(\w+)|(\w+)\.id)\)/.exec(body);
        expect({ file, name: Boolean(name) }).toEqual({ file, name: true });
        if (name![2]) {
          expect(known[name![2]]).toBeDefined();
          expect(body).toContain(`roles.${name![2]}`);
        } else {
          expect(text).toMatch(new RegExp(`resource ${name![3]} 'Microsoft.Authorization/roleDefinitions@`));
          expect(body).toContain(`roleDefinitionId: ${name![3]}.id`);
        }
        expect({ file, role: name![2] ?? name![3], explained: m[1]!.trim().length > 0 }).toEqual({
          file,
          role: name![2] ?? name![3],
          explained: true,
        });
      }
    }
    expect(assignments).toBe(12);
    const deploy = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    for (const role of [
      'Storage Blob Data Owner',
      'Storage Queue Data Contributor',
      'Storage Table Data Contributor',
      'Azure Service Bus Data Sender',
      'Azure Service Bus Data Receiver',
      'Monitoring Metrics Publisher',
      'Compute Gallery Artifacts Publisher',
      'Reader',
      'Disk Backup Reader',
      'Batch Image Factory Snapshot Operator',
      'Azure Batch Data Contributor',
      'Managed Identity Operator',
    ]) {
      expect(deploy).toContain(role);
    }
  });

  it('calls every module with parameters it declares, giving all required ones, and reads outputs it has', () => {
    for (const file of bicepFiles()) {
      const text = read(file);
      for (const m of text.matchAll(/module (\w+) '([^']+)' = (\[[^\n]*\n\s*for [^:]+: )?\{/g)) {
        const modulePath = join(INFRA, dirname(file), m[2]!);
        expect(existsSync(modulePath)).toBe(true);
        const moduleText = readFileSync(modulePath, 'utf8');
        const body = block(text, m.index! + m[0].length - 1);
        const paramsAt = body.indexOf('params:');
        const passed = paramsAt >= 0 ? keys(block(body, paramsAt)) : [];
        const declared = declaredParams(moduleText);
        for (const p of passed)
          expect({ module: m[2], param: p, declared: declared.some((d) => d.name === p) }).toEqual({
            module: m[2],
            param: p,
            declared: true,
          });
        for (const d of declared.filter((x) => x.required))
          expect({ module: m[2], missing: d.name, passed: passed.includes(d.name) }).toEqual({
            module: m[2],
            missing: d.name,
            passed: true,
          });
        const outputs = [...moduleText.matchAll(/^output (\w+) /gm)].map((o) => o[1]!);
        for (const used of text.matchAll(new RegExp(`\\b${m[1]}\\.outputs\\.(\\w+)`, 'g')))
          expect({ module: m[1], output: used[1], exists: outputs.includes(used[1]!) }).toEqual({
            module: m[1],
            output: used[1],
            exists: true,
          });
      }
    }
  });

  it('gives azd UPPER_SNAKE outputs and maps every main.bicep parameter in main.parameters.json', () => {
    for (const m of main.matchAll(/^output (\w+) /gm)) expect(m[1]).toMatch(/^[A-Z][A-Z0-9_]*$/);
    const parameters = Object.keys(
      (JSON.parse(read('main.parameters.json')) as { parameters: Record<string, unknown> }).parameters,
    );
    const required = declaredParams(main)
      .filter((p) => p.required)
      .map((p) => p.name);
    for (const p of required) expect(parameters).toContain(p);
    expect(readFileSync(join(ROOT, 'azure.yaml'), 'utf8')).toMatch(/host: function/);
  });
});

describe('the Service Bus build intake in infra', () => {
  it('creates the Service Bus build queue the trigger reads, as the local broker serves it, with Data Receiver on it', () => {
    const serviceBus = read('modules/servicebus.bicep');
    expect(main).toMatch(
      new RegExp(`param serviceBusBuildQueueName string = '${SETTINGS.serviceBusBuildQueue.default}'`),
    );
    const queue = block(
      serviceBus,
      serviceBus.indexOf("resource buildQueue 'Microsoft.ServiceBus/namespaces/queues@"),
    );
    expect(queue).toContain('name: buildQueueName');
    expect(queue).toContain(`maxDeliveryCount: ${BUILD_QUEUE_MAX_DELIVERY_COUNT}`);
    const local = DEFAULT_BROKER_CONFIG.queues!.find(
      (q) => q.name === SETTINGS.serviceBusBuildQueue.default,
    )!;
    expect(queue).toContain(`lockDuration: 'PT${local.lockDurationSeconds! / 60}M'`);
    const receiver = block(
      serviceBus,
      serviceBus.indexOf("resource receiver 'Microsoft.Authorization/roleAssignments@"),
    );
    expect(receiver).toMatch(/scope: buildQueue\b/);
    expect(receiver).toContain('roles.serviceBusDataReceiver');
    expect(registeredFunctions().get('buildRequestsServiceBus')).toBe('serviceBusTrigger');
    // The trigger's identity-based connection uses the app's user-assigned identity.
    expect(functionApp).toContain("{ name: 'BIF_SERVICEBUS__credential', value: 'managedidentity' }");
    expect(functionApp).toContain("{ name: 'BIF_SERVICEBUS__clientId', value: identityClientId }");
  });
});
