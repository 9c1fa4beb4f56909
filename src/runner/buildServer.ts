/**
 * Turns a validated {@link SluiceConfig} into a {@link SluiceServer}.
 *
 * @module
 */
import { SluiceServer, type SluiceServerOptions } from '../server/sluiceServer.js';
import type { SluiceConfig } from './config.js';
import { fileResource } from './fileResource.js';
import { scriptTool, type ScriptToolOptions } from './scriptTool.js';

export function buildServer(config: SluiceConfig, options: Partial<SluiceServerOptions> & ScriptToolOptions = {}): SluiceServer {
  const sluice = new SluiceServer({
    name: config.name,
    version: config.version,
    ...(config.progressPerSecond !== undefined && { progressPerSecond: config.progressPerSecond }),
    ...options,
  });
  for (const tool of config.tools) sluice.tool(scriptTool(tool, options));
  for (const resource of config.resources) {
    const definition = fileResource(resource);
    if ('uriTemplate' in definition) sluice.resourceTemplate(definition);
    else sluice.resource(definition);
  }
  return sluice;
}
