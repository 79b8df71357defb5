import { join } from 'node:path';
import {
  checkNodeAgentSku,
  osOfNodeAgentSku,
  type SupportedImage,
} from '../../../src/domain/planning/nodeAgentSku';
import { readJson, VECTORS } from '../../helpers/requests';

// The official "list supported images" example from the Batch REST spec.
const official = readJson<{ responses: { 200: { body: { value: SupportedImage[] } } } }>(
  join(VECTORS, 'batch-dataplane', 'AccountListSupportedImages.json'),
).responses[200].body.value;
const NOW = new Date('2019-06-01T00:00:00Z');

describe('node agent SKU', () => {
  it.each([
    ['batch.node.ubuntu 22.04', 'Linux'],
    ['batch.node.el 9', 'Linux'],
    ['batch.node.centos 7', 'Linux'],
    ['batch.node.windows amd64', 'Windows'],
    ['ubuntu 22.04', undefined],
    ['batch.node.', undefined],
  ])('%p is for %p', (sku, os) => expect(osOfNodeAgentSku(sku)).toBe(os));

  it('must fit the image OS type', () => {
    const [f] = checkNodeAgentSku(
      'batch.node.windows amd64',
      'Linux',
      'pools[0].nodeAgentSkuId',
      undefined,
      NOW,
    );
    expect(f).toMatchObject({
      code: 'NODE_AGENT_SKU_OS_MISMATCH',
      severity: 'error',
      path: 'pools[0].nodeAgentSkuId',
    });
    expect(f!.message).toMatch(/batch\.node\.ubuntu 22\.04/);
    const [g] = checkNodeAgentSku('batch.node.ubuntu 22.04', 'Windows', 'p', undefined, NOW);
    expect(g!.message).toMatch(/batch\.node\.windows amd64/);
  });

  it('is not checked against a list when there is none', () => {
    expect(checkNodeAgentSku('batch.node.ubuntu 22.04', 'Linux', 'p', undefined, NOW)).toEqual([]);
  });

  it('must exist in the account list, and the finding lists the SKUs that do', () => {
    const [f] = checkNodeAgentSku('batch.node.ubuntu 22.04', 'Linux', 'p', official, NOW);
    expect(f!.code).toBe('NODE_AGENT_SKU_UNKNOWN');
    expect(f!.message).toContain('batch.node.centos 7, batch.node.debian 8');
    expect(f!.message).not.toContain('windows');
  });

  it('passes a verified SKU with no end of life', () => {
    expect(checkNodeAgentSku('batch.node.debian 8', 'Linux', 'p', official, NOW)).toEqual([]);
    expect(checkNodeAgentSku('BATCH.NODE.WINDOWS AMD64', 'Windows', 'p', official, NOW)).toEqual([]);
  });

  it('warns about a SKU listed only for unverified images, and about its coming end of life', () => {
    const list: SupportedImage[] = [
      {
        nodeAgentSKUId: 'batch.node.el 8',
        verificationType: 'unverified',
        osType: 'linux',
        batchSupportEndOfLife: '2019-09-01T00:00:00Z',
      },
    ];
    const findings = checkNodeAgentSku('batch.node.el 8', 'Linux', 'p', list, NOW);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ['NODE_AGENT_SKU_UNVERIFIED', 'warning'],
      ['NODE_AGENT_SKU_END_OF_LIFE', 'warning'],
    ]);
    expect(findings[1]!.message).toMatch(/2019-09-01 \(92 days\)/);
  });

  it('makes a passed end of life an error', () => {
    // centos 7 has a verified image without end of life in the example, so build a list where every entry ended.
    const list = official.filter((e) => e.batchSupportEndOfLife);
    const findings = checkNodeAgentSku(
      'batch.node.centos 7',
      'Linux',
      'p',
      list,
      new Date('2020-01-01T00:00:00Z'),
    );
    expect(findings.find((f) => f.code === 'NODE_AGENT_SKU_END_OF_LIFE')).toMatchObject({
      severity: 'error',
    });
  });

  it('does not warn about end of life when one of the SKU images has no end date', () => {
    const findings = checkNodeAgentSku(
      'batch.node.centos 7',
      'Linux',
      'p',
      official,
      new Date('2019-10-01T00:00:00Z'),
    );
    expect(findings).toEqual([]);
  });
});
