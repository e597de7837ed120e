/**
 * OpenAILLMService passes the LLM conformance suite of @voxline/core/testing against the local
 * fake Chat Completions API, each scenario scripted on a fake of its own.
 */
import {
  describeConformance,
  type LLMConformanceScenario,
  llmServiceConformance,
} from '@voxline/core/testing';
import { OpenAILLMService } from '@voxline/openai';
import { FakeOpenAIServer, type ScriptedChatReply } from '@voxline/openai/testing';
import { afterAll, describe, it } from 'vitest';

const fakes: FakeOpenAIServer[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.stop())));

/** The fake's script for a scenario. */
function repliesFor(scenario: LLMConformanceScenario): ScriptedChatReply[] {
  switch (scenario.kind) {
    case 'reply':
      return [{ content: scenario.reply }];
    case 'tool-call':
      return [
        { toolCalls: [{ name: scenario.functionName, arguments: JSON.stringify(scenario.arguments) }] },
        { content: scenario.replyAfterResult },
      ];
    case 'long-reply':
      return [{ content: scenario.reply, chunkIntervalMs: 20 }, { content: scenario.followUpReply }];
    case 'failure':
      return [{ error: { status: 400, message: "Invalid value for 'model'." } }];
  }
}

describeConformance(
  llmServiceConformance({
    name: 'OpenAILLMService conformance',
    create: async (scenario) => {
      const fake = await FakeOpenAIServer.start({ chatReplies: repliesFor(scenario) });
      fakes.push(fake);
      return new OpenAILLMService({ apiKey: fake.apiKey, baseURL: fake.baseURL, model: 'gpt-4o-mini' });
    },
    exactText: true,
  }),
  { describe, it },
);
