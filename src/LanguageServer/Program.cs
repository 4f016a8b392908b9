using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.VisualStudio.Threading;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;
using StreamJsonRpc;

namespace CnnDsl.LanguageServer;

/// <summary>Runs the .cnn language server over standard input and output (LSP's base protocol: Content-Length headers, JSON-RPC 2.0).</summary>
static class Program
{
    static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "--version" or "-v")
        {
            Console.WriteLine("cnndsl-language-server " + typeof(Program).Assembly.GetName().Version);
            return 0;
        }
        if (args.Length > 0 && args[0] != "--stdio")
        {
            Console.Error.WriteLine("Usage: CnnDsl.LanguageServer [--stdio]   (speaks LSP on standard input and output; --version prints the version)");
            return 2;
        }

        var formatter = new JsonMessageFormatter();
        formatter.JsonSerializer.ContractResolver = new CamelCasePropertyNamesContractResolver();
        formatter.JsonSerializer.NullValueHandling = NullValueHandling.Ignore;
        var handler = new HeaderDelimitedMessageHandler(Console.OpenStandardOutput(), Console.OpenStandardInput(), formatter);

        var exited = new TaskCompletionSource<int>();
        var server = new CnnLanguageServer(() => exited.TrySetResult(0));
        using var rpc = new JsonRpc(handler)
        {
            // One message at a time, in the order received: an edit is applied before the request that follows it.
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
        };
        rpc.AddLocalRpcTarget(server, new JsonRpcTargetOptions { AllowNonPublicInvocation = false });
        server.Attach(rpc);
        rpc.StartListening();
        // The client ends the session with 'exit', or by closing the pipe.
        await Task.WhenAny(exited.Task, rpc.Completion.ContinueWith(_ => 0, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
        return 0;
    }
}
