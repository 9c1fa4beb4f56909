// The conformance suite's checks are loose (an unknown tool's error text
// passes some of them), so a green run does not prove the fixtures exist.
// This test lists the fixture server and fails when any expected name is gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serveHttp } from '../../src/transports/http/nodeServer.js';
import { v2Client } from '../helpers/servers.js';
import { conformanceFixture } from './fixtureServer.js';

test('the fixture server exposes every tool, resource and prompt the suite expects', async () => {
  const running = await serveHttp(conformanceFixture(), { port: 0 });
  const client = await v2Client(running.url, 'legacy');
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  assert.deepEqual(tools, [
    'confirm_delete',
    'failing_job',
    'greet',
    'json_schema_2020_12_tool',
    'multi_input',
    'protocol_error_job',
    'slow_compute',
    'test_audio_content',
    'test_elicitation',
    'test_elicitation_sep1034_defaults',
    'test_elicitation_sep1330_enums',
    'test_embedded_resource',
    'test_error_handling',
    'test_image_content',
    'test_multiple_content_types',
    'test_reconnection',
    'test_sampling',
    'test_simple_text',
    'test_tool_with_logging',
    'test_tool_with_progress',
    'test_tool_with_task',
  ]);
  const resources = (await client.listResources()).resources.map((r) => r.uri).sort();
  assert.deepEqual(resources, ['test://static-binary', 'test://static-text', 'test://watched-resource']);
  const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  assert.deepEqual(templates, ['test://template/{id}/data']);
  const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
  assert.deepEqual(prompts, ['test_prompt_with_arguments', 'test_prompt_with_embedded_resource', 'test_prompt_with_image', 'test_simple_prompt']);
  const simple = await client.callTool({ name: 'test_simple_text' });
  assert.deepEqual(simple.content, [{ type: 'text', text: 'This is a simple text response for testing.' }]);
  await client.close();
  await running.close();
});
