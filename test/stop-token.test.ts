import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture, startNode } from './helpers/child.js';
import { isAndonError, OptionError, StopController, StoppedError } from '../src/index.js';

describe('StopController and its token', () => {
  it('starts running and reports the stop and its reason', () => {
    const controller = new StopController();
    assert.equal(controller.token.stopped, false);
    assert.equal(controller.token.reason, undefined);
    assert.equal(controller.stop('interrupt'), true);
    assert.equal(controller.token.stopped, true);
    assert.equal(controller.token.reason, 'interrupt');
  });

  it('keeps the first reason', () => {
    const controller = new StopController();
    controller.stop('timeout');
    assert.equal(controller.stop('interrupt'), false);
    assert.equal(controller.token.reason, 'timeout');
  });

  it('defaults the reason to "stop" and rejects unknown reasons', () => {
    const controller = new StopController();
    assert.throws(() => controller.stop('bored' as never), OptionError);
    assert.equal(controller.token.stopped, false);
    controller.stop();
    assert.equal(controller.token.reason, 'stop');
  });

  it('stops children with the parent, and not the parent with a child', () => {
    const parent = new StopController();
    const child = new StopController(parent.token);
    const grandchild = new StopController(child.token);
    const sibling = new StopController(parent.token);
    sibling.stop('timeout');
    assert.equal(parent.token.stopped, false);
    assert.equal(child.token.stopped, false);
    parent.stop('interrupt');
    assert.equal(grandchild.token.stopped, true);
    assert.equal(grandchild.token.reason, 'interrupt');
    assert.equal(sibling.token.reason, 'timeout', 'a child stopped first keeps its own reason');
  });

  it('tells a child listener about the parent stop, once', () => {
    const parent = new StopController();
    const child = new StopController(parent.token);
    const seen: string[] = [];
    child.token.onStop((reason) => seen.push(reason));
    parent.stop('interrupt');
    parent.stop('force');
    assert.deepEqual(seen, ['interrupt']);
  });

  it('throwIfStopped throws a StoppedError with the reason only after the stop', () => {
    const controller = new StopController();
    controller.token.throwIfStopped();
    controller.stop('timeout');
    assert.throws(
      () => controller.token.throwIfStopped(),
      (error: unknown) =>
        error instanceof StoppedError && error.reason === 'timeout' && isAndonError(error, 'ANDON_STOPPED'),
    );
  });

  it('sleep resolves "elapsed" when nothing stops it', async () => {
    const controller = new StopController();
    assert.equal(await controller.token.sleep(1), 'elapsed');
    assert.equal(await controller.token.sleep(0), 'elapsed');
  });

  it('sleep wakes with "stopped" the moment a stop is requested', async () => {
    const controller = new StopController();
    // An hour-long sleep: if the stop did not wake it, the test would time out.
    const sleeping = controller.token.sleep(3_600_000);
    controller.stop();
    assert.equal(await sleeping, 'stopped');
  });

  it('sleep wakes when an ancestor stops', async () => {
    const parent = new StopController();
    const child = new StopController(new StopController(parent.token).token);
    const sleeping = child.token.sleep(Infinity);
    parent.stop('interrupt');
    assert.equal(await sleeping, 'stopped');
  });

  it('sleep after the stop resolves "stopped" at once', async () => {
    const controller = new StopController();
    controller.stop();
    assert.equal(await controller.token.sleep(3_600_000), 'stopped');
  });

  it('sleep rejects a negative or NaN duration', async () => {
    const { token } = new StopController();
    await assert.rejects(token.sleep(-1), /Expected `ms` to be a number of milliseconds/);
    await assert.rejects(token.sleep(Number.NaN), OptionError);
  });

  it('signal aborts on stop with a StoppedError as its reason', () => {
    const controller = new StopController();
    const signal = controller.token.signal;
    assert.equal(signal.aborted, false);
    controller.stop('interrupt');
    assert.equal(signal.aborted, true);
    assert.ok(signal.reason instanceof StoppedError);
    assert.equal((signal.reason as StoppedError).reason, 'interrupt');
  });

  it('signal is already aborted when first read after the stop', () => {
    const parent = new StopController();
    const child = new StopController(parent.token);
    parent.stop();
    assert.equal(child.token.signal.aborted, true);
  });

  it('onStop returns a disposer that unregisters the listener', () => {
    const controller = new StopController();
    let calls = 0;
    const dispose = controller.token.onStop(() => calls++);
    dispose();
    dispose();
    controller.stop();
    assert.equal(calls, 0);
  });

  it('onStop after the stop runs the listener at once', () => {
    const controller = new StopController();
    controller.stop('timeout');
    let reason: string | undefined;
    controller.token.onStop((r) => (reason = r));
    assert.equal(reason, 'timeout');
  });

  it('a throwing listener does not keep the others from running, and its error surfaces as uncaught', async () => {
    const exit = await startNode(fixture('listener-throws.js')).exited;
    assert.match(exit.stdout, /^ran 1\nran 2\nstopped\n/);
    assert.match(exit.stderr, /Error: listener bug/);
    assert.equal(exit.code, 1);
  });
});
