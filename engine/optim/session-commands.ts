/**
 * @file The command methods every optimizer session shares (engine/optim/session.ts on this
 * thread, engine/runtime/session-client.ts in the worker): each turns into one `SessionCommand`
 * that the implementation carries out or forwards. A module of its own because the two
 * implementations import each other's files.
 */
import type { SessionCommand } from './session.ts';

/** The commands of a session; subclasses say what `send` does with each. */
export abstract class SessionCommands {
  /** Carry out or forward `command` (ignored once the session is closed). */
  protected abstract send(command: SessionCommand): void;

  /** Run continuously (states at most once per animation frame). */
  start(): void {
    this.send({ op: 'start' });
  }
  /** Stop running; the current point stays. */
  stop(): void {
    this.send({ op: 'stop' });
  }
  /** Do one iteration. */
  step(): void {
    this.send({ op: 'step' });
  }
  /** Go back to the start point. */
  reset(): void {
    this.send({ op: 'reset' });
  }
  /** Move parameter `i` to `value`; a run continues from there. */
  setParameter(i: number, value: number): void {
    this.send({ op: 'set', index: i, value });
  }
  /** Hold parameter `i` where it is (`frozen`), or release it. */
  freeze(i: number, frozen: boolean): void {
    this.send({ op: 'freeze', index: i, frozen });
  }
}
