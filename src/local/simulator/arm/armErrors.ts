import { json, type SimResponse } from '../http';

/** ARM's error envelope: {"error": {"code", "message", "target"?}}. */
export function armError(
  status: number,
  code: string,
  message: string,
  target?: string,
  headers?: Record<string, string>,
): SimResponse {
  return json(status, { error: { code, message, ...(target ? { target } : {}) } }, headers);
}

export class ArmFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
  }

  toResponse(): SimResponse {
    return armError(this.status, this.code, this.message, this.target);
  }
}

export const notFound = (type: string, name: string, resourceGroup: string) =>
  new ArmFailure(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );

export const invalidParameter = (message: string, target?: string) =>
  new ArmFailure(400, 'InvalidParameter', message, target);
