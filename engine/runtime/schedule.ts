/**
 * @file Scheduling for the optimizer loops and their transports: the next task (a message, so a
 * time-sliced loop yields to the event loop without a clamped timer) and the next animation frame
 * (where states are acknowledged), with timer fallbacks where those do not exist (Node, workers).
 */

/** Run `callback` after the event loop had a turn (a message, not a clamped timer). */
export function nextTask(callback: () => void): void {
  if (typeof MessageChannel === 'undefined') return void setTimeout(callback, 0);
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback();
  };
  channel.port2.postMessage(null);
}

/** Run `callback` at the next animation frame (or in about 16 ms where there are no frames). */
export function nextFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
}
