// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using Apiextensions.Fn.Proto.V1;
using Grpc.Core;
using Status = Grpc.Core.Status;
using Modelplane.Sdk;

namespace Modelplane.Server;

/// <summary>The v1 service as Grpc.AspNetCore binds it: a base whose method the implementation overrides.</summary>
[BindServiceMethod(typeof(V1Binding), nameof(V1Binding.BindService))]
public abstract class FunctionRunnerV1ServiceBase
{
    public abstract Task<EncodedResponse> RunFunction(DecodedRequest request, ServerCallContext context);
}

/// <summary>The deprecated v1beta1 service as Grpc.AspNetCore binds it.</summary>
[BindServiceMethod(typeof(V1Beta1Binding), nameof(V1Beta1Binding.BindService))]
public abstract class FunctionRunnerV1Beta1ServiceBase
{
    public abstract Task<EncodedResponse> RunFunction(DecodedRequest request, ServerCallContext context);
}

/// <summary>RunFunction on the v1 service: Crossplane's current contract.</summary>
public sealed class FunctionRunnerV1Service(FunctionCallHandler handler) : FunctionRunnerV1ServiceBase
{
    public override Task<EncodedResponse> RunFunction(DecodedRequest request, ServerCallContext context) => handler.RunAsync(request, context);
}

/// <summary>RunFunction on the deprecated v1beta1 service, which Crossplane calls when v1 is unimplemented.</summary>
public sealed class FunctionRunnerV1Beta1Service(FunctionCallHandler handler) : FunctionRunnerV1Beta1ServiceBase
{
    public override Task<EncodedResponse> RunFunction(DecodedRequest request, ServerCallContext context) => handler.RunAsync(request, context);
}

/// <summary>How the v1 service is bound: our marshallers instead of the generated ones.</summary>
/// <remarks>
/// Generated bindings parse with <c>Parser.ParseFrom</c>, whose failure Grpc.AspNetCore answers as
/// UNKNOWN; ours answer INVALID_ARGUMENT with the parser's reason (<see cref="RequestParser"/>).
/// Server reflection reads <see cref="Descriptor"/> to describe the service.
/// </remarks>
public static class V1Binding
{
    public const string ServiceName = "apiextensions.fn.proto.v1.FunctionRunnerService";

    public static readonly Method<DecodedRequest, EncodedResponse> RunFunction =
        new(MethodType.Unary, ServiceName, "RunFunction", RequestParser.RequestMarshaller, RequestParser.ResponseMarshaller);

    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => RunFunctionReflection.Descriptor.Services[0];

    public static void BindService(ServiceBinderBase binder, FunctionRunnerV1ServiceBase? service) =>
        binder.AddMethod(RunFunction, service is null ? null : service.RunFunction);
}

/// <summary>How the v1beta1 service is bound: the same messages and marshallers under the old name.</summary>
public static class V1Beta1Binding
{
    public const string ServiceName = "apiextensions.fn.proto.v1beta1.FunctionRunnerService";

    public static readonly Method<DecodedRequest, EncodedResponse> RunFunction =
        new(MethodType.Unary, ServiceName, "RunFunction", RequestParser.RequestMarshaller, RequestParser.ResponseMarshaller);

    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => Apiextensions.Fn.Proto.V1Beta1.RunFunctionReflection.Descriptor.Services[0];

    public static void BindService(ServiceBinderBase binder, FunctionRunnerV1Beta1ServiceBase? service) =>
        binder.AddMethod(RunFunction, service is null ? null : service.RunFunction);
}

/// <summary>One RunFunction call: run the composer, note what the call log needs, map a bug to INTERNAL.</summary>
/// <remarks>
/// The request has parsed by the time we get here (a request that does not is refused by the
/// marshaller). A composer exception is the only INTERNAL, and it is a bug: logged with its stack by
/// the call log. The call's deadline and client cancellation reach the runner through
/// <see cref="ServerCallContext.CancellationToken"/>; once either fires the answer goes nowhere.
/// </remarks>
public sealed class FunctionCallHandler(FunctionRunner runner)
{
    public Task<EncodedResponse> RunAsync(DecodedRequest request, ServerCallContext context)
    {
        var call = context.GetHttpContext().Features.Get<CallRecord>();
        call?.Identify(request.Envelope);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var (response, summary) = runner.RunEncoded(request, context.CancellationToken);
            call?.Composed(summary, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return Task.FromResult(response);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Grpc.AspNetCore has already answered DEADLINE_EXCEEDED, or the client has gone.
            throw new RpcException(new Status(context.GetHttpContext().RequestAborted.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.DeadlineExceeded,
                "the call ended before the composer finished"));
        }
        catch (Exception e) when (e is not RpcException)
        {
            call?.Failed(e);
            throw new RpcException(new Status(StatusCode.Internal, $"internal error in composer: {e.GetType().Name}: {e.Message}"));
        }
        finally
        {
            // The response is encoded: nothing reads the request's buffer again.
            request.Dispose();
        }
    }
}
