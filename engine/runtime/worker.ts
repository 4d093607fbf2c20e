/**
 * @file The compile worker's entry (a module worker; started by spawn.ts). It answers the
 * requests of protocol.ts: `minimize` runs the optimizer here (minimize-worker.ts); `compile` revives the posted IR (wire.ts), applies `valueAndGrad` if
 * asked, generates code and compiles it with `WebAssembly.compile`, and posts the
 * `WebAssembly.Module` back with what instantiation needs. Every request gets exactly one answer;
 * errors are posted as `WireError`s (a `RoseError` keeps its code and message).
 *
 * The message handler is installed before anything else runs (the engine has no top-level
 * `await`; binaryen, for `optimize`, is imported lazily), so no early message is lost.
 */
import { internal } from '../errors.ts';
import type { Func } from '../ir/types.ts';
import { valueAndGrad } from '../trace/autodiff.ts';
import { funcOf, makeFn, type Fn, type Typed } from '../trace/fn.ts';
import type { Reals, Vecs } from '../trace/types.ts';
import { compileModule } from '../wasm/compile.ts';
import { abortRun, acknowledge, startMinimize } from './minimize-worker.ts';
import { receiveSession } from './session-worker.ts';
import { toWireError, type CompileRequest, type CompiledModule, type Reply, type Request } from './protocol.ts';
import { revive } from './wire.ts';

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((ev: MessageEvent<Request>) => void) | null;
  postMessage(message: Reply): void;
}

const scope = globalThis as unknown as WorkerScope;

/** Compile the request's function (see the file comment). */
async function compileRequest(msg: CompileRequest): Promise<CompiledModule> {
  const { func, slots } = revive(msg.program);
  let root: Func = func;
  if (msg.mode === 'value-and-grad') {
    const f = makeFn(func) as Fn & Typed<[Vecs<number, Reals>], Reals>;
    root = funcOf(valueAndGrad(f), msg.where);
  }
  const { module, artifact } = await compileModule(root, msg.optimize, msg.where);
  const importSlots = artifact.imports.map(
    (o) => slots.get(o) ?? internal(`the compiled module imports ${o.name}, which was not posted`),
  );
  return { module, importSlots, frameSize: artifact.frameSize, retType: root.retType };
}

/** Post a reply to the main thread. */
function post(reply: Reply): void {
  scope.postMessage(reply);
}

/** Answer one message. */
function receive(msg: Request): void {
  switch (msg.type) {
    case 'compile':
      compileRequest(msg).then(
        (result) => post({ type: 'done', id: msg.id, result }),
        (e: unknown) => post({ type: 'failed', id: msg.id, error: toWireError(e) }),
      );
      return;
    case 'minimize':
      startMinimize(msg, post);
      return;
    case 'ack':
      acknowledge(msg.id);
      return;
    case 'session':
    case 'session-command':
      receiveSession(msg, post);
      return;
    case 'abort':
      abortRun(msg.id);
      return;
    case 'crash':
      // an uncaught error outside any request: the client must notice and recover
      setTimeout(() => {
        throw new Error('crash requested by the client');
      });
      return;
    default: {
      const other = msg as { type: unknown; id: number };
      post({ type: 'failed', id: other.id, error: toWireError(new Error(`unknown request ${String(other.type)}`)) });
    }
  }
}

scope.onmessage = (ev) => receive(ev.data);
