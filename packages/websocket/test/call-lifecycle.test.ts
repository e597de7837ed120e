/**
 * How calls end, on the VirtualClock: hang-up exactly once after the final audio was heard, no
 * hang-up when the caller hung up, prompt cancellation, and sends after close that never throw.
 */
import { CancelTaskFrame, EndTaskFrame, type Frame, FrameDirection, FrameProcessor } from '@voxline/core';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.js';
import { jfkAt8k } from './support/audio.js';
import { audioFrame, FakeTerminator, startVirtualCall } from './support/virtual-call.js';

/** Pushes a frame upstream from inside the pipeline when told to (as an agent ending the call would). */
class UpstreamPusher extends FrameProcessor {
  push(frame: Frame): void {
    this.pushFrame(frame, FrameDirection.Upstream);
  }
}

describe('call lifecycle', () => {
  it('hangs up once, after the final audio was heard, then closes the socket with 1000', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(1.3)));
    call.session.task?.stopWhenDone('goodbye');
    const outcome = await call.clock.runUntil(call.session.finished);

    expect(outcome).toEqual({ pipeline: 'end', hungUp: true, endedBy: 'pipeline' });
    const lastEcho = call.playback.echoes.at(-1)?.at;
    expect(lastEcho).toBe(1300);
    expect(call.terminator.calls).toEqual([{ callId: call.messages.callId, at: 1300 }]);
    expect(call.socket.closeCode).toBe(CloseCode.Normal);
    expect(call.socket.closedAt).toBe(1300);
    // The carrier confirms with stop and closes: still one hang-up.
    call.transport.receive(call.messages.stop());
    call.socket.peerClose(1000);
    await call.clock.advance(1000);
    expect(call.terminator.calls).toHaveLength(1);
  });

  it('ends on EndTaskFrame from inside the pipeline', async () => {
    const pusher = new UpstreamPusher();
    const call = await startVirtualCall({ middle: [pusher] });
    call.queue(audioFrame(jfkAt8k(0.5)));
    await call.clock.advance(100);
    pusher.push(new EndTaskFrame('agent said goodbye'));
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(outcome.pipeline).toBe('end');
    expect(call.terminator.calls.map((c) => c.at)).toEqual([500]);
  });

  it('waits at most the echo timeout when the final mark never comes back', async () => {
    const call = await startVirtualCall({ playback: { echoMarks: false } });
    call.queue(audioFrame(jfkAt8k(1)));
    call.session.task?.stopWhenDone();
    await call.clock.runUntil(call.session.finished);
    expect(call.terminator.calls.map((c) => c.at)).toEqual([2500]);
    expect(call.transport.counters.markEchoTimeouts).toBe(1);
  });

  it('cancels at once when the caller hangs up (stop), without a hang-up request', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(3)));
    await call.clock.advance(300);
    call.transport.receive(call.messages.stop());
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(outcome).toEqual({ pipeline: 'cancel', hungUp: false, endedBy: 'carrier' });
    expect(call.terminator.calls).toEqual([]);
    expect(call.socket.closedAt).toBe(300);
    expect(call.socket.closeCode).toBe(CloseCode.Normal);
    expect(call.playback.media.every((m) => m.at <= 300)).toBe(true);
  });

  it('cancels and hangs up when the socket drops without stop (the call may still be up)', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(3)));
    await call.clock.advance(300);
    call.socket.peerClose(1006);
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(outcome).toEqual({ pipeline: 'cancel', hungUp: true, endedBy: 'connection' });
    expect(call.terminator.calls.map((c) => c.at)).toEqual([300]);
    expect(call.transport.counters.sendsAfterClose).toBe(0);
  });

  it('hangs up once when the pipeline cancels itself', async () => {
    const pusher = new UpstreamPusher();
    const call = await startVirtualCall({ middle: [pusher] });
    call.queue(audioFrame(jfkAt8k(1)));
    await call.clock.advance(200);
    pusher.push(new CancelTaskFrame('transfer failed'));
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(outcome).toEqual({ pipeline: 'cancel', hungUp: true, endedBy: 'pipeline' });
    expect(call.terminator.calls.map((c) => c.at)).toEqual([200]);
    expect(call.socket.closeCode).toBe(CloseCode.Normal);
  });

  it('closes the socket even when the hang-up fails, and logs why', async () => {
    let clockRef: { now(): number } = { now: () => 0 };
    const terminator = new FakeTerminator({ now: () => clockRef.now() }, 'twilio', () =>
      Promise.reject(new Error('carrier API unavailable')),
    );
    const call = await startVirtualCall({ terminator });
    clockRef = call.clock;
    call.session.task?.stopWhenDone();
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(outcome.hungUp).toBe(true);
    expect(terminator.calls).toHaveLength(1);
    expect(call.socket.closeCode).toBe(CloseCode.Normal);
    const failure = call.logs.find((record) => record.message === 'hang-up failed');
    expect(failure?.fields.callId).toBe(call.messages.callId);
  });

  it('gives up on a hang-up that never answers after hangUpTimeoutMs', async () => {
    const terminator = new FakeTerminator({ now: () => 0 }, 'twilio', () => new Promise(() => {}));
    const call = await startVirtualCall({ terminator, session: { lifecycle: { hangUpTimeoutMs: 3000 } } });
    call.session.task?.stopWhenDone();
    await call.clock.runUntil(call.session.finished);
    expect(call.socket.closedAt).toBe(3000);
  });

  it('never throws when sending after the socket closed', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(2)));
    await call.clock.advance(200);
    // The socket dies without a close event reaching the transport yet.
    call.socket.readyState = 3;
    await call.clock.advance(500);
    expect(call.transport.counters.sendsAfterClose).toBeGreaterThan(20);
    expect(call.session.task?.hasFinished).toBe(false);
    call.socket.onClose(1006, '');
    await call.clock.runUntil(call.session.finished);
  });

  it('ends gracefully on shutdown: queued audio plays, then hang-up and 1001', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(0.8)));
    await call.clock.advance(100);
    const outcome = await call.clock.runUntil(call.session.shutdown(5000));
    expect(outcome).toEqual({ pipeline: 'end', hungUp: true, endedBy: 'shutdown' });
    expect(call.terminator.calls.map((c) => c.at)).toEqual([800]);
    expect(call.socket.closeCode).toBe(CloseCode.GoingAway);
  });

  it('cancels on shutdown when the pipeline does not end in time', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(10)));
    await call.clock.advance(100);
    const outcome = await call.clock.runUntil(call.session.shutdown(2000));
    expect(outcome.pipeline).toBe('cancel');
    expect(call.terminator.calls.map((c) => c.at)).toEqual([2100]);
    expect(call.socket.closeCode).toBe(CloseCode.GoingAway);
  });

  it('closes with 1011 and hangs up when the pipeline cannot be built', async () => {
    const call = await startVirtualCall({
      session: {
        createPipeline: () => {
          throw new Error('no LLM key configured');
        },
      },
    });
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(outcome).toEqual({ pipeline: undefined, hungUp: true, endedBy: 'error' });
    expect(call.terminator.calls).toHaveLength(1);
    expect(call.socket.closeCode).toBe(CloseCode.InternalError);
  });

  it('refuses a pipeline without the transport processors', async () => {
    const call = await startVirtualCall({ session: { createPipeline: () => [new UpstreamPusher()] } });
    await call.clock.runUntil(call.session.finished);
    expect(call.socket.closeCode).toBe(CloseCode.InternalError);
    const record = call.logs.find((r) => r.message === 'could not create the pipeline');
    expect(String((record?.fields.err as Error | undefined)?.message)).toContain('transport.input()');
  });

  it('moves running -> ending -> finished, hanging up in ending, and stays finished', async () => {
    const states: string[] = [];
    let session: { state: string } | undefined;
    const terminator = new FakeTerminator({ now: () => call.clock.now() }, 'twilio', async () => {
      states.push(`hang-up in ${session?.state}`);
    });
    const call = await startVirtualCall({ terminator });
    session = call.session;
    states.push(call.session.state);
    call.queue(audioFrame(jfkAt8k(0.2)));
    call.session.task?.stopWhenDone();
    await call.clock.runUntil(call.session.finished);
    states.push(call.session.state);
    // A late stop and close change nothing: finished is final.
    call.transport.receive(call.messages.stop());
    call.socket.peerClose(1000);
    await call.clock.advance(100);
    states.push(call.session.state);
    expect(states).toEqual(['running', 'hang-up in ending', 'finished', 'finished']);
    expect(terminator.calls).toHaveLength(1);
  });

  it('goes from building to ending, not running, when the caller hangs up while the pipeline is built', async () => {
    let release!: () => void;
    const built = new Promise<void>((resolve) => {
      release = resolve;
    });
    const call = await startVirtualCall({
      session: {
        createPipeline: async (_call, transport) => {
          await built;
          return [transport.input(), transport.output()];
        },
      },
    });
    expect(call.session.state).toBe('building');
    call.transport.receive(call.messages.stop());
    expect(call.session.state).toBe('building');
    release();
    const outcome = await call.clock.runUntil(call.session.finished);
    expect(call.session.state).toBe('finished');
    expect(call.session.task).toBeUndefined();
    expect(outcome).toEqual({ pipeline: undefined, hungUp: false, endedBy: 'carrier' });
  });
});
