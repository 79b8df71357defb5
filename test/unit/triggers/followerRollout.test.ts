import { planFollowerRollout } from '../../../src/domain/planning/followers';
import { GALLERY, watchingFactory } from '../../helpers/factory';
import { DEFAULT_ORCHESTRATION_SETTINGS } from '../../../src/domain/pipeline';
import { SUB_A } from '../../helpers/requests';

const NOW = new Date('2026-11-01T00:00:00Z');
const VERSION = `${GALLERY}/images/ubuntu2204-render/versions/2.0.0`;

function watched(replication?: Record<string, unknown>) {
  return watchingFactory(
    replication
      ? {
          every: 'P7D',
          source: {
            type: 'managedImage',
            id: `/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.Compute/images/img`,
          },
          replication,
        }
      : undefined,
  ).images[0]!;
}

describe('follower rollouts size replicas with the watched image’s settings', () => {
  it('uses the headroom and storage account type of the image’s replication settings', async () => {
    const input = planFollowerRollout(
      watched({ headroomPercent: 100, storageAccountType: 'Standard_ZRS' }),
      VERSION,
      { now: NOW, versionNames: ['2.0.0'], existingTargets: [] },
      DEFAULT_ORCHESTRATION_SETTINGS,
    );
    // 3000 nodes: 10 replicas for 1 per 300 VMs, doubled by 100 % headroom.
    expect(input.targetRegions).toEqual([
      { name: 'westeurope', replicaCount: 20, storageAccountType: 'Standard_ZRS' },
    ]);
  });

  it('without replication settings, adds a region with the storage type the version was published with', async () => {
    const input = planFollowerRollout(
      watched(),
      VERSION,
      {
        now: NOW,
        versionNames: ['2.0.0'],
        existingTargets: [{ name: 'northeurope', replicaCount: 1, storageAccountType: 'Premium_LRS' }],
      },
      DEFAULT_ORCHESTRATION_SETTINGS,
    );
    expect(input.targetRegions).toContainEqual({
      name: 'westeurope',
      replicaCount: 12,
      storageAccountType: 'Premium_LRS',
    });
  });
});
