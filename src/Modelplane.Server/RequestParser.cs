// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;
using Grpc.Core;
using Modelplane.Sdk;
using Status = Grpc.Core.Status;

namespace Modelplane.Server;

/// <summary>The marshallers both RunFunction methods use: <see cref="RequestDecoder"/> in, the runner's <see cref="EncodedResponse"/> out.</summary>
/// <remarks>
/// Generated bindings parse with <c>Parser.ParseFrom</c>, whose failure Grpc.AspNetCore answers as
/// UNKNOWN; a request <see cref="RequestDecoder"/> refuses is INVALID_ARGUMENT with its reason.
/// </remarks>
public static class RequestParser
{
    /// <summary>Decodes a request; throws <see cref="RpcException"/> with INVALID_ARGUMENT when it does not parse.</summary>
    public static DecodedRequest Parse(ReadOnlySequence<byte> payload)
    {
        try
        {
            return RequestDecoder.Decode(payload);
        }
        catch (MalformedRequestException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    public static Marshaller<DecodedRequest> RequestMarshaller { get; } =
        Marshallers.Create<DecodedRequest>(
            (request, context) => Serialize(EnvelopeOnly(request), context),
            context => Parse(context.PayloadAsReadOnlySequence()));

    // A client (tests) sending a decoded request: its required objects are JSON text now and cannot be
    // written back, so one that has any is refused rather than sent without them.
    private static RunFunctionRequest EnvelopeOnly(DecodedRequest request) =>
        request.Required.Names.Any() || request.Extra.Names.Any()
            ? throw new NotSupportedException("a decoded request with required resources cannot be sent; send the RunFunctionRequest it came from")
            : request.Envelope;

    /// <summary>Writes the runner's bytes into the transport's buffer and returns the runner's pooled buffer.</summary>
    /// <remarks>A client of this method (the tests) gets the received bytes, whole.</remarks>
    public static Marshaller<EncodedResponse> ResponseMarshaller { get; } =
        Marshallers.Create<EncodedResponse>(
            (response, context) =>
            {
                using (response)
                {
                    context.SetPayloadLength(response.Size);
                    response.WriteTo(context.GetBufferWriter());
                    context.Complete();
                }
            },
            context => EncodedResponse.FromBytes(context.PayloadAsNewBuffer()));

    private static void Serialize<T>(T message, SerializationContext context)
        where T : IBufferMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        // Straight into the transport's pooled buffer: no array per call.
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
