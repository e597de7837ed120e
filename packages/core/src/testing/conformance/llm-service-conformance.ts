/**
 * The conformance suite of streaming LLM services ({@link LLMService} subclasses), through a real
 * pipeline task on the real clock.
 *
 * Each check needs the model to behave a certain way, so it asks `create(scenario)` for a service
 * that will: a provider's local fake scripts the scenario's reply (the `reply` text, the tool call,
 * a slow stream, an error); a real model gets `scenario.userMessage`, which asks for the same in
 * words. The scenarios are fixed ({@link LLM_CONFORMANCE_SCENARIOS}), so a fake can be scripted from
 * `scenario.kind` alone.
 */
import {
  FunctionCallInProgressFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
} from '../../frames/control.js';
import {
  FunctionCallResultFrame,
  LLMContextFrame,
  LLMMessagesAppendFrame,
  LLMTextFrame,
} from '../../frames/data.js';
import { CancelFrame, InterruptionFrame, MetricsFrame } from '../../frames/system.js';
import { LLMContext, type LLMMessage } from '../../llm/llm-context.js';
import type { LLMUsageMetricsData } from '../../metrics/metrics-data.js';
import type { LLMService } from '../../services/llm-service.js';
import type { ConformanceCheck, ConformanceSuite } from './conformance-suite.js';
import { expectContract, expectValidOptions, preview } from './contract-assertions.js';
import { type RecordingPipeline, withRecordingPipeline } from './recording-pipeline.js';

/** A plain streamed reply. */
export interface LLMReplyScenario {
  readonly kind: 'reply';
  /** The user's message (what a real model is asked). */
  readonly userMessage: string;
  /** The reply a fake streams, in several chunks. */
  readonly reply: string;
}

/** One tool call, then a reply once its result is in. */
export interface LLMToolCallScenario {
  readonly kind: 'tool-call';
  readonly userMessage: string;
  /** The function the model calls; the suite registers it. */
  readonly functionName: string;
  /** Its arguments, as the model would pass them. */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** What the function returns. */
  readonly result: Readonly<Record<string, unknown>>;
  /** The reply a fake streams on the second request (the one with the result). */
  readonly replyAfterResult: string;
}

/** A reply streamed slowly enough to be interrupted, then a short reply to the next request. */
export interface LLMLongReplyScenario {
  readonly kind: 'long-reply';
  readonly userMessage: string;
  /** A long reply; a fake streams it word by word with a pause (~20-50 ms) between chunks. */
  readonly reply: string;
  /** The reply to the request after the interruption. */
  readonly followUpReply: string;
}

/** The provider refuses the request with a non-retryable error (a fake answers HTTP 400). */
export interface LLMFailureScenario {
  readonly kind: 'failure';
  readonly userMessage: string;
}

/** What `create` is asked to set the model up for; see the module comment. */
export type LLMConformanceScenario =
  | LLMReplyScenario
  | LLMToolCallScenario
  | LLMLongReplyScenario
  | LLMFailureScenario;

/** The scenarios the checks use, by kind. */
export const LLM_CONFORMANCE_SCENARIOS: {
  readonly reply: LLMReplyScenario;
  readonly toolCall: LLMToolCallScenario;
  readonly longReply: LLMLongReplyScenario;
  readonly failure: LLMFailureScenario;
} = {
  reply: {
    kind: 'reply',
    userMessage: 'Say exactly: Hello! How can I help you today?',
    reply: 'Hello! How can I help you today?',
  },
  toolCall: {
    kind: 'tool-call',
    userMessage: 'What is the weather in Paris? Use the get_weather function.',
    functionName: 'get_weather',
    arguments: { city: 'Paris' },
    result: { city: 'Paris', temperatureC: 18, sky: 'clear' },
    replyAfterResult: 'It is 18 degrees and clear in Paris.',
  },
  longReply: {
    kind: 'long-reply',
    userMessage: 'Tell me about the history of the telephone in about two hundred words.',
    reply:
      'The telephone grew out of the telegraph. In 1876 Alexander Graham Bell was granted a patent ' +
      'for transmitting speech electrically, weeks after Elisha Gray filed a similar caveat. Early ' +
      'lines connected pairs of telephones directly, until switchboards let operators connect any ' +
      'two subscribers by hand. Automatic exchanges followed at the end of the century, and the ' +
      'rotary dial let callers choose a number themselves. Long-distance calls needed amplifiers, ' +
      'which vacuum tubes made practical in 1915. Touch-tone dialling arrived in the sixties, ' +
      'carrying digits as pairs of tones that the network could hear. Digital switching and ' +
      'fibre replaced most copper trunks by the nineties, and mobile networks then put a telephone ' +
      'in almost every pocket on the planet.',
    followUpReply: 'Sure, what would you like to know?',
  },
  failure: {
    kind: 'failure',
    userMessage: 'This request is refused by the provider.',
  },
};

/** Options of {@link llmServiceConformance}. */
export interface LLMServiceConformanceOptions {
  /** Suite name; default `'LLM service conformance'`. */
  name?: string;
  /** Creates a fresh service set up for `scenario` (see the module comment). */
  create: (scenario: LLMConformanceScenario) => LLMService | Promise<LLMService>;
  /** Whether the streamed text must equal the scenario's reply (true for scripted fakes); default false. */
  exactText?: boolean;
  /** Whether the service reports `llm-usage` (token counts); default true. */
  reportsUsage?: boolean;
  /** How long a check waits for each thing it expects, in ms of real time; default 15 000. */
  timeoutMs?: number;
}

/** The conformance suite of an LLM service; see the module comment. */
export function llmServiceConformance(options: LLMServiceConformanceOptions): ConformanceSuite {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const scenarios = LLM_CONFORMANCE_SCENARIOS;
  const pipelineOptions = { timeoutMs };

  const run =
    (
      scenario: LLMConformanceScenario,
      body: (pipeline: RecordingPipeline, llm: LLMService) => Promise<void>,
    ) =>
    async () => {
      const llm = await options.create(scenario);
      await withRecordingPipeline(llm, pipelineOptions, (pipeline) => body(pipeline, llm));
    };

  const contextFor = (scenario: LLMConformanceScenario) =>
    new LLMContext([
      { role: 'system', content: 'You are a helpful assistant on a phone call. Be brief.' },
      { role: 'user', content: scenario.userMessage },
    ]);

  const text = (pipeline: RecordingPipeline) =>
    pipeline
      .downstream(LLMTextFrame)
      .map((frame) => frame.text)
      .join('');

  const expectNoErrors = (pipeline: RecordingPipeline) =>
    expectContract(
      pipeline.errors.length === 0,
      `no errors expected, got: ${pipeline.errors.map((frame) => frame.message).join(' | ')}`,
    );

  /** Checks that the response frames came out as Start, texts, End (one response). */
  const expectOneResponse = (pipeline: RecordingPipeline, expectedText: string) => {
    const starts = pipeline.downstream(LLMFullResponseStartFrame);
    const ends = pipeline.downstream(LLMFullResponseEndFrame);
    expectContract(
      starts.length === 1 && ends.length === 1,
      'one LLMFullResponseStart/EndFrame pair expected',
    );
    const startIndex = pipeline.indexOf(starts[0] as LLMFullResponseStartFrame);
    const endIndex = pipeline.indexOf(ends[0] as LLMFullResponseEndFrame);
    const texts = pipeline.downstream(LLMTextFrame);
    expectContract(texts.length > 0, 'the response should stream LLMTextFrames');
    expectContract(
      texts.every((frame) => {
        const index = pipeline.indexOf(frame);
        return index > startIndex && index < endIndex;
      }),
      'every LLMTextFrame must come out between LLMFullResponseStartFrame and LLMFullResponseEndFrame',
    );
    if (options.exactText === true) {
      expectContract(
        text(pipeline) === expectedText,
        `the streamed text should be ${preview(expectedText)}, got ${preview(text(pipeline))}`,
      );
    } else {
      expectContract(text(pipeline).trim() !== '', 'the streamed text must not be blank');
    }
  };

  const checks: ConformanceCheck[] = [
    {
      name: 'streams a response to an LLMContextFrame: LLMFullResponseStartFrame, LLMTextFrames, LLMFullResponseEndFrame',
      run: run(scenarios.reply, async (pipeline) => {
        pipeline.queue(new LLMContextFrame(contextFor(scenarios.reply)));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame);
        expectOneResponse(pipeline, scenarios.reply.reply);
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'runs a completion for an LLMMessagesAppendFrame with runLLM',
      run: run(scenarios.reply, async (pipeline) => {
        const messages: LLMMessage[] = contextFor(scenarios.reply).messages;
        pipeline.queue(new LLMMessagesAppendFrame(messages, true));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame);
        expectOneResponse(pipeline, scenarios.reply.reply);
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: `reports TTFB and processing time${options.reportsUsage === false ? '' : ', and llm-usage token counts'}`,
      run: run(scenarios.reply, async (pipeline) => {
        pipeline.queue(new LLMContextFrame(contextFor(scenarios.reply)));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame);
        await pipeline.end();
        const metrics = pipeline.downstream(MetricsFrame).flatMap((frame) => frame.data);
        for (const type of ['ttfb', 'processing'] as const) {
          const found = metrics.filter((data) => data.type === type);
          expectContract(
            found.length === 1 && found.every((data) => 'valueMs' in data && data.valueMs >= 0),
            `one ${type} metric (>= 0 ms) expected per response, got ${found.length}`,
          );
        }
        if (options.reportsUsage !== false) {
          const usage = metrics.filter((data): data is LLMUsageMetricsData => data.type === 'llm-usage');
          expectContract(
            usage.length === 1,
            `one llm-usage metric expected per response, got ${usage.length}`,
          );
          const { promptTokens, completionTokens, totalTokens } = usage[0] as LLMUsageMetricsData;
          expectContract(
            promptTokens > 0 && completionTokens > 0 && totalTokens >= promptTokens + completionTokens,
            `llm-usage should count prompt and completion tokens, got ${promptTokens}/${completionTokens}/${totalTokens}`,
          );
        }
      }),
    },
    {
      name: 'calls a registered function with its arguments, announces call and result both ways, records them in the context, and runs the model again',
      run: run(scenarios.toolCall, async (pipeline, llm) => {
        const scenario = scenarios.toolCall;
        const calls: unknown[] = [];
        if (llm.functions.get(scenario.functionName) === undefined) {
          llm.functions.register({
            name: scenario.functionName,
            description: 'Current weather in a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            handler: (args) => {
              calls.push(args);
              return scenario.result;
            },
          });
        }
        const context = contextFor(scenario);
        pipeline.queue(new LLMContextFrame(context));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame, 2);
        expectContract(calls.length === 1, `the function should run once, ran ${calls.length} times`);
        expectContract(
          JSON.stringify(calls[0]) === JSON.stringify(scenario.arguments),
          `the function should get ${JSON.stringify(scenario.arguments)}, got ${JSON.stringify(calls[0])}`,
        );
        const inProgress = pipeline.downstream(FunctionCallInProgressFrame);
        const results = pipeline.downstream(FunctionCallResultFrame);
        expectContract(
          inProgress.length === 1 && results.length === 1,
          'one call in progress and one result frame expected',
        );
        expectContract(
          pipeline.upstream(FunctionCallInProgressFrame).length === 1 &&
            pipeline.upstream(FunctionCallResultFrame).length === 1,
          'the call in progress and its result must go upstream too (processors before the LLM watch calls)',
        );
        const call = inProgress[0] as FunctionCallInProgressFrame;
        const result = results[0] as FunctionCallResultFrame;
        expectContract(
          call.functionName === scenario.functionName,
          `the call should name ${scenario.functionName}`,
        );
        expectContract(
          result.toolCallId === call.toolCallId,
          'the result must answer the call (same toolCallId)',
        );
        const firstEnd = pipeline.downstream(LLMFullResponseEndFrame)[0] as LLMFullResponseEndFrame;
        expectContract(
          pipeline.indexOf(call) < pipeline.indexOf(firstEnd) &&
            pipeline.indexOf(firstEnd) < pipeline.indexOf(result),
          'FunctionCallInProgressFrame must come before the first response end, the result after it',
        );
        const assistant = context.messages.find(
          (message) => message.role === 'assistant' && (message.tool_calls?.length ?? 0) > 0,
        );
        const toolMessage = context.messages.find(
          (message) => message.role === 'tool' && message.tool_call_id === call.toolCallId,
        );
        expectContract(
          assistant?.role === 'assistant' && assistant.tool_calls?.[0]?.id === call.toolCallId,
          'the context must hold the assistant message with the tool call',
        );
        expectContract(
          toolMessage?.role === 'tool' &&
            JSON.stringify(JSON.parse(String(toolMessage.content))) === JSON.stringify(scenario.result),
          `the context must hold the tool message with the result, got ${preview(String(toolMessage?.content))}`,
        );
        const afterResult = pipeline
          .downstream(LLMTextFrame)
          .filter((frame) => pipeline.indexOf(frame) > pipeline.indexOf(result));
        expectContract(afterResult.length > 0, 'the model should run again and reply once the result is in');
        if (options.exactText === true) {
          const replied = afterResult.map((frame) => frame.text).join('');
          expectContract(
            replied === scenario.replyAfterResult,
            `the reply after the result should be ${preview(scenario.replyAfterResult)}, got ${preview(replied)}`,
          );
        }
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'an interruption stops the stream: no text after it, the response still ends, and the next request is answered',
      run: run(scenarios.longReply, async (pipeline) => {
        const scenario = scenarios.longReply;
        const interruption = new InterruptionFrame();
        let interrupted = false;
        pipeline.onOutput(({ frame }) => {
          if (!interrupted && frame instanceof LLMTextFrame) {
            interrupted = true;
            queueMicrotask(() => pipeline.queue(interruption));
          }
        });
        const context = contextFor(scenario);
        pipeline.queue(new LLMContextFrame(context));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame);
        const interruptionIndex = pipeline.indexOf(interruption);
        expectContract(interruptionIndex !== -1, 'the InterruptionFrame must be forwarded downstream');
        const end = pipeline.downstream(LLMFullResponseEndFrame)[0] as LLMFullResponseEndFrame;
        expectValidOptions(
          pipeline.indexOf(end) > interruptionIndex,
          'the reply ended before the interruption could cut it off: stream the long reply more slowly',
        );
        const late = pipeline
          .downstream(LLMTextFrame)
          .filter((frame) => pipeline.indexOf(frame) > interruptionIndex);
        expectContract(
          late.length === 0,
          `no text may come out after the interruption, got ${preview(late.map((frame) => frame.text).join(''))}`,
        );
        expectContract(
          text(pipeline).length < scenario.reply.length,
          'the interrupted reply must be cut short',
        );
        // The service must answer the next request with a fresh signal.
        context.addMessage({ role: 'user', content: 'Sorry, one question.' });
        pipeline.queue(new LLMContextFrame(context));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame, 2);
        const next = pipeline
          .downstream(LLMTextFrame)
          .filter((frame) => pipeline.indexOf(frame) > interruptionIndex);
        expectContract(next.length > 0, 'the request after the interruption should be answered');
        if (options.exactText === true) {
          const replied = next.map((frame) => frame.text).join('');
          expectContract(
            replied === scenario.followUpReply,
            `the follow-up reply should be ${preview(scenario.followUpReply)}, got ${preview(replied)}`,
          );
        }
        await pipeline.end();
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'a CancelFrame during a stream is forwarded and ends the pipeline',
      run: run(scenarios.longReply, async (pipeline) => {
        pipeline.queue(new LLMContextFrame(contextFor(scenarios.longReply)));
        await pipeline.waitForDownstream(LLMTextFrame);
        expectContract((await pipeline.cancel()) === 'cancel', 'the pipeline should end cancelled');
        expectContract(
          pipeline.downstream(CancelFrame).length === 1,
          'the CancelFrame must be forwarded downstream (the task otherwise waits out its cancel timeout)',
        );
        expectNoErrors(pipeline);
      }),
    },
    {
      name: 'a provider failure becomes a non-fatal ErrorFrame, the response still ends, and the pipeline goes on',
      run: run(scenarios.failure, async (pipeline) => {
        pipeline.queue(new LLMContextFrame(contextFor(scenarios.failure)));
        await pipeline.waitForDownstream(LLMFullResponseEndFrame);
        expectContract(
          pipeline.errors.length === 1,
          `one ErrorFrame expected, got ${pipeline.errors.length}`,
        );
        expectContract(
          pipeline.errors[0]?.fatal === false,
          'a provider failure must not be fatal to the call',
        );
        expectContract(
          pipeline.downstream(LLMFullResponseStartFrame).length === 1,
          'the response must be opened and closed even when the provider fails',
        );
        expectContract((await pipeline.end()) === 'end', 'the pipeline should still end gracefully');
      }),
    },
  ];

  return { name: options.name ?? 'LLM service conformance', checks, checkTimeoutMs: timeoutMs * 4 };
}
