/**
 * How Azure's Durable extension reports a failed out-of-process (Node) activity to its orchestrator.
 * The orchestrator never sees the thrown Error itself: the chain below turns it into a TaskFailed
 * history event, and durable-functions 3.5.0 rebuilds an Error from that event. The embedded engine
 * reproduces each link, so code that reads activity errors meets here what it meets in Azure.
 *
 * 1. The Node worker sends the failure as `{message: error.message, stackTrace: error.stack}`
 *    (Azure/azure-functions-nodejs-worker src/utils/toRpcStatus.ts).
 * 2. The host wraps it in an RpcException whose message is `Result: Failure\nException: {message}\nStack: {stack}`
 *    (Azure/azure-functions-host src/WebJobs.Script/Workers/Rpc/RpcException.cs).
 * 3. The extension cuts the text between `\nException:` and `\nStack:` (leading space kept) into a new
 *    Exception (src/WebJobs.Extensions.DurableTask/OutOfProcExceptionHelpers.cs), then fails the task with
 *    Reason `Activity function '{name}' failed: {that message}` and Details = the exception serialized
 *    as JSON (Listener/TaskActivityShim.cs, `Utils.SerializeCause`).
 * 4. durable-functions 3.5.0 builds `new Error(`${Reason} \n ${Details}`)` from a TaskFailed event
 *    without FailureDetails (lib/src/orchestrations/TaskOrchestrationExecutor.js).
 */
interface TaskFailure {
  Reason: string;
  Details: string;
}

/** The fields every serialized System.Exception ends with, in Newtonsoft's order (both links of the chain). */
const EXCEPTION_TAIL = {
  HelpURL: null,
  StackTraceString: null,
  RemoteStackTraceString: null,
  RemoteStackIndex: 0,
  ExceptionMethod: null,
  HResult: -2146233088,
  Source: null,
  WatsonBuckets: null,
};

const RPC_EXCEPTION =
  'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException, Microsoft.Azure.WebJobs.Script';

export function activityTaskFailure(activityName: string, error: unknown): TaskFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  const stack = e.stack ?? '';
  const rpcMessage = `Result: Failure\nException: ${e.message}\nStack: ${stack}`;
  const friendly = friendlyMessage(rpcMessage);
  return {
    Reason: `Activity function '${activityName}' failed: ${friendly}`,
    // The shape Newtonsoft gives a System.Exception (ISerializable) with TypeNameHandling on: the
    // friendly exception, the RpcException inside it.
    Details: JSON.stringify({
      $type: 'System.Exception, System.Private.CoreLib',
      ClassName: 'System.Exception',
      Message: friendly,
      Data: null,
      InnerException: {
        $type: RPC_EXCEPTION,
        IsUserException: false,
        RemoteStackTrace: stack,
        RemoteMessage: e.message,
        RemoteTypeName: null,
        ClassName: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException',
        Message: rpcMessage,
        Data: null,
        InnerException: null,
        ...EXCEPTION_TAIL,
      },
      ...EXCEPTION_TAIL,
    }),
  };
}

/** OutOfProcExceptionHelpers.TryGetExceptionWithFriendlyMessage, including its kept leading space. */
function friendlyMessage(rpcMessage: string): string {
  const label = '\nException:';
  const start = rpcMessage.indexOf(label) + label.length;
  const end = rpcMessage.indexOf('\nStack:');
  const text = rpcMessage.slice(start, end);
  const outOfProcData = text.indexOf('\n\n$OutOfProcData$:');
  return outOfProcData < 0 ? text : text.slice(0, outOfProcData);
}
