import { parseResourceId, fullType, formatResourceId, sameResourceId } from '../../../src/domain/resourceId';

const SUB = '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f';

describe('parseResourceId', () => {
  it('parses a nested gallery image version id', () => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg-img/providers/Microsoft.Compute/galleries/gal/images/def/versions/1.0.0`;
    const result = parseResourceId(id);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.id).toEqual({
      subscriptionId: SUB,
      resourceGroup: 'rg-img',
      provider: 'Microsoft.Compute',
      types: ['galleries', 'images', 'versions'],
      names: ['gal', 'def', '1.0.0'],
    });
    expect(fullType(result.id)).toBe('Microsoft.Compute/galleries/images/versions');
    expect(formatResourceId(result.id)).toBe(id);
  });

  it('accepts ARM casing variations (ids are case-insensitive)', () => {
    const result = parseResourceId(
      `/SUBSCRIPTIONS/${SUB}/resourcegroups/RG/PROVIDERS/microsoft.compute/virtualMachines/vm1`,
    );
    expect(result.ok).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['subscriptions/x', 'must start with /subscriptions/'],
    [
      '/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
      'is not a GUID',
    ],
    [`/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines/vm`, 'needs /resourceGroups/'],
    [
      `/subscriptions/${SUB}/resourceGroups/rg./providers/Microsoft.Compute/virtualMachines/vm`,
      'resource group name',
    ],
    [`/subscriptions/${SUB}/resourceGroups/rg/Microsoft.Compute/virtualMachines/vm`, 'needs /providers/'],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Compute/virtualMachines/vm`, 'provider namespace'],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines`,
      '{type}/{name} pairs',
    ],
    [
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/a b`,
      'invalid characters',
    ],
  ])('rejects %p with a reason (%s)', (value, reason) => {
    const result = parseResourceId(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(reason);
  });

  it('compares ids case-insensitively and ignores a trailing slash', () => {
    expect(sameResourceId('/subscriptions/A/resourceGroups/B', '/subscriptions/a/resourcegroups/b/')).toBe(
      true,
    );
    expect(sameResourceId('/subscriptions/A/resourceGroups/B', '/subscriptions/a/resourcegroups/c')).toBe(
      false,
    );
  });
});
