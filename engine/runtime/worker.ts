/**
 * @file The compile worker's entry (a module worker; started by spawn.ts). It answers the
 * requests of protocol.ts: `compile` revives the posted IR (wire.ts), applies `valueAndGrad` if
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
import { toWireError, type BaseRequest, type CompileRequest, type CompiledModule, type Reply } from './protocol.ts';
import { revive } from './wire.ts';

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((ev: MessageEvent<BaseRequest>) => void) | null;
  postMessage(message: Reply): void;
}

const scope = globalThis as unknown as WorkerScope;

/** Handlers of request types added by other modules (the optimizer's `minimize`). */
export type RequestHandler = (msg: { type: string; id: number }, post: (reply: Reply) => void) => void;
const extraHandlers = new Map<string, RequestHandler>();

/** Let `handler` answer requests of `type` (for runtime modules beyond compiling). */
export function handleRequests(type: string, handler: RequestHandler): void {
  extraHandlers.set(type, handler);
}

/** Compile the request's function (see the file comment). */
async function compileRequest(msg: CompileRequest): Promise<CompiledModule> {
  const { func, slots } = revive(msg.func);
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

/** Answer one message. */
function receive(msg: BaseRequest): void {
  switch (msg.type) {
    case 'compile':
      compileRequest(msg).then(
        (result) => scope.postMessage({ type: 'done', id: msg.id, result }),
        (e: unknown) => scope.postMessage({ type: 'failed', id: msg.id, error: toWireError(e) }),
      );
      return;
    case 'crash':
      // an uncaught error outside any request: the client must notice and recover
      setTimeout(() => {
        throw new Error('crash requested by the client');
      });
      return;
    default: {
      const other = msg as { type: string; id: number };
      const handler = extraHandlers.get(other.type);
      if (handler !== undefined) handler(other, (reply) => scope.postMessage(reply));
      else if (other.type !== 'abort')
        scope.postMessage({
          type: 'failed',
          id: other.id,
          error: toWireError(new Error(`unknown request type ${String(other.type)}`)),
        });
    }
  }
}

scope.onmessage = (ev) => receive(ev.data);
