// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Modelplane.Render.Engine;

/// <summary>Calls RunFunction on a running function server over plaintext gRPC (h2c), as <c>crossplane render</c>'s Development runtime does.</summary>
/// <remarks>
/// Grpc.Net.Client speaks the wire; this class only names the methods and words the errors the way
/// <c>crossplane render</c> does (<c>rpc error: code = ... desc = ...</c>). Like Crossplane's client it
/// calls the v1 service first and retries the deprecated v1beta1 service, whose messages are
/// byte-identical, only when the server answers UNIMPLEMENTED.
/// </remarks>
public sealed class GrpcFunctionClient : IFunctionRuntime, IDisposable
{
    public const string V1Service = "apiextensions.fn.proto.v1.FunctionRunnerService";
    public const string V1Beta1Service = "apiextensions.fn.proto.v1beta1.FunctionRunnerService";

    private static readonly Marshaller<RunFunctionRequest> RequestMarshaller =
        Marshallers.Create(request => request.ToByteArray(), RunFunctionRequest.Parser.ParseFrom);

    private static readonly Marshaller<RunFunctionResponse> ResponseMarshaller =
        Marshallers.Create(response => response.ToByteArray(), RunFunctionResponse.Parser.ParseFrom);

    private static readonly Method<RunFunctionRequest, RunFunctionResponse> V1 =
        new(MethodType.Unary, V1Service, "RunFunction", RequestMarshaller, ResponseMarshaller);

    private static readonly Method<RunFunctionRequest, RunFunctionResponse> V1Beta1 =
        new(MethodType.Unary, V1Beta1Service, "RunFunction", RequestMarshaller, ResponseMarshaller);

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    public GrpcFunctionClient(string target)
    {
        Target = target;
        _channel = GrpcChannel.ForAddress(BaseAddress(target), new GrpcChannelOptions
        {
            // What render prints is the whole desired state; Crossplane's own limit is for the cluster.
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        _invoker = _channel.CreateCallInvoker();
    }

    /// <summary>The gRPC target as written, e.g. <c>localhost:9443</c> or <c>dns:///localhost:9443</c>.</summary>
    public string Target { get; }

    public string Describe => $"gRPC at {Target}";

    public async Task<RunFunctionResponse> RunAsync(RunFunctionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                return await _invoker.AsyncUnaryCall(V1, null, new CallOptions(cancellationToken: cancellationToken), request).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                return await _invoker.AsyncUnaryCall(V1Beta1, null, new CallOptions(cancellationToken: cancellationToken), request).ConfigureAwait(false);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            throw new RenderException($"rpc error: code = Unavailable desc = cannot reach {Target}: {e.Status.Detail}; is the function running with --insecure?");
        }
        catch (RpcException e)
        {
            throw new RenderException($"rpc error: code = {e.StatusCode} desc = {e.Status.Detail}");
        }
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>The http:// address of a gRPC target: <c>host:port</c>, <c>dns:///host:port</c>, <c>dns://resolver/host:port</c>.</summary>
    public static Uri BaseAddress(string target)
    {
        var hostPort = target;
        var scheme = target.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var rest = target[(scheme + 3)..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            hostPort = slash < 0 ? rest : rest[(slash + 1)..];
        }
        if (hostPort.Length == 0)
        {
            throw new RenderException($"invalid gRPC target \"{target}\": give host:port, for example localhost:9443");
        }
        // gRPC's default port when a target names none.
        var hasPort = hostPort.StartsWith('[') ? hostPort.Contains("]:", StringComparison.Ordinal) : hostPort.Contains(':', StringComparison.Ordinal);
        return Uri.TryCreate($"http://{(hasPort ? hostPort : hostPort + ":443")}", UriKind.Absolute, out var uri)
            ? uri
            : throw new RenderException($"invalid gRPC target \"{target}\": give host:port, for example localhost:9443");
    }
}
