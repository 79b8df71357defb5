import type { Pool } from '@azure/arm-batch';
import type { EffectivePool } from '../domain/poolTemplate/effectivePool';

/**
 * The effective pool is in REST casing (BatchManagement.json); @azure/arm-batch's Pool model flattens
 * `properties` and names every nested property as the wire does, except ContainerRegistry's `username`
 * (model field `userName`). Its serializer drops fields it does not know, so this is the one rename.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- REST-shaped JSON, checked against the spec at planning
type Json = Record<string, any>;

export function toSdkPool(pool: EffectivePool): Pool {
  return {
    ...(pool.identity ? { identity: pool.identity } : {}),
    ...renameRegistries(pool.properties),
  } as Pool;
}

function renameRegistries(properties: Json): Json {
  const vmc = properties.deploymentConfiguration?.virtualMachineConfiguration;
  const registries = vmc?.containerConfiguration?.containerRegistries as Json[] | undefined;
  if (!registries) return properties;
  return {
    ...properties,
    deploymentConfiguration: {
      ...properties.deploymentConfiguration,
      virtualMachineConfiguration: {
        ...vmc,
        containerConfiguration: {
          ...vmc.containerConfiguration,
          containerRegistries: registries.map(({ username, ...rest }) => ({
            ...rest,
            ...(username !== undefined ? { userName: username } : {}),
          })),
        },
      },
    },
  };
}
