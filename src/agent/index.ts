/**
 * `mcp-sluice/agent`: an LLM's streamed answer with MCP tool calls, their
 * progress and partial output in one ordered stream of events.
 *
 * @module
 */
export { anthropicProvider } from './anthropic.js';
export { runAgent, type RunAgentOptions } from './runAgent.js';
export type { AgentEvent, ModelEvent, ModelProvider, ModelTool, ToolUse, Turn, Usage } from './types.js';
