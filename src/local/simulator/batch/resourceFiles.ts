import { invalidProperty } from './batchErrors';

/**
 * A task's resource files as Batch checks them (ResourceFile in BatchService.json): exactly one of
 * httpUrl, storageContainerUrl, autoStorageContainerName; an httpUrl is an HTTP(S) URL and needs a
 * filePath (the file's name); a filePath is relative to the task's working directory and "cannot break
 * out of the task's working directory (for example by using '..')".
 */
export function checkResourceFiles(files: unknown): void {
  if (files === undefined) return;
  if (!Array.isArray(files)) throw invalidProperty('resourceFiles', 'resourceFiles must be a list.');
  files.forEach((file: Record<string, unknown>, i) => {
    const bad = (reason: string) => invalidProperty('resourceFiles', `resourceFiles[${i}]: ${reason}`);
    const sources = ['httpUrl', 'storageContainerUrl', 'autoStorageContainerName'].filter((k) => file?.[k]);
    if (sources.length !== 1)
      throw bad('exactly one of httpUrl, storageContainerUrl and autoStorageContainerName must be given.');
    if (file.httpUrl !== undefined) {
      if (!/^https?:\/\//i.test(String(file.httpUrl))) throw bad('httpUrl must be an HTTP or HTTPS URL.');
      if (!file.filePath) throw bad('filePath is required with httpUrl.');
    }
    const path = file.filePath === undefined ? '' : String(file.filePath);
    if (/^([\\/]|[A-Za-z]:)/.test(path) || path.split(/[\\/]/).includes('..'))
      throw bad("filePath must be relative and cannot break out of the task's working directory.");
  });
}
