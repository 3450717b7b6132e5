// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Server.Tests;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc+proto;foo=bar", true)]
    [InlineData("APPLICATION/GRPC", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpc+protobuf", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData("text/plain", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_ContentType_Accepted(string? contentType, bool expected) =>
        Assert.Equal(expected, RunFunctionEndpoint.IsGrpcContentType(contentType));

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("30S", 300_000_000L)]
    [InlineData("100m", 1_000_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("1000000n", 10_000L)]
    [InlineData("99999999n", 999_999L)]
    [InlineData("0S", 0L)]
    [InlineData("1n", 0L)]
    [InlineData("99999999H", 20_736_000_000_000L)] // clamped to 24 days
    public void TryParseTimeout_ValidHeader_Duration(string header, long ticks)
    {
        Assert.True(RunFunctionEndpoint.TryParseTimeout(header, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("+1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData("123456789S")]
    [InlineData("１S")]
    public void TryParseTimeout_MalformedHeader_False(string header) =>
        Assert.False(RunFunctionEndpoint.TryParseTimeout(header, out _));

    [Theory]
    [InlineData("", "")]
    [InlineData("plain ascii: ok (1/2) ~", "plain ascii: ok (1/2) ~")]
    [InlineData("100%", "100%25")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("del\u007f", "del%7F")]
    [InlineData("café", "caf%C3%A9")]
    [InlineData("☃", "%E2%98%83")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void EncodeMessage_Message_PercentEncodedOutsidePrintableAscii(string message, string expected) =>
        Assert.Equal(expected, GrpcStatus.EncodeMessage(message));

    [Theory]
    [InlineData("100% café\n☃")]
    [InlineData("%%%")]
    [InlineData("a%20b")]
    public void EncodeMessage_AnyMessage_DecodesBack(string message) =>
        Assert.Equal(message, Uri.UnescapeDataString(GrpcStatus.EncodeMessage(message)));

    [Theory]
    [InlineData(GrpcStatusCode.Ok, "ok")]
    [InlineData(GrpcStatusCode.Cancelled, "cancelled")]
    [InlineData(GrpcStatusCode.InvalidArgument, "invalid_argument")]
    [InlineData(GrpcStatusCode.DeadlineExceeded, "deadline_exceeded")]
    [InlineData(GrpcStatusCode.ResourceExhausted, "resource_exhausted")]
    [InlineData(GrpcStatusCode.Unimplemented, "unimplemented")]
    [InlineData(GrpcStatusCode.Internal, "internal")]
    [InlineData(GrpcStatusCode.Unavailable, "unavailable")]
    [InlineData((GrpcStatusCode)16, "16")]
    public void CodeName_Code_LowerCaseLabel(GrpcStatusCode code, string expected) =>
        Assert.Equal(expected, new GrpcStatus(code, "").CodeName);

    [Theory]
    [InlineData(GrpcStatusCode.Ok, 0)]
    [InlineData(GrpcStatusCode.Cancelled, 1)]
    [InlineData(GrpcStatusCode.InvalidArgument, 3)]
    [InlineData(GrpcStatusCode.DeadlineExceeded, 4)]
    [InlineData(GrpcStatusCode.ResourceExhausted, 8)]
    [InlineData(GrpcStatusCode.Unimplemented, 12)]
    [InlineData(GrpcStatusCode.Internal, 13)]
    [InlineData(GrpcStatusCode.Unavailable, 14)]
    public void GrpcStatusCode_Value_MatchesTheGrpcSpecification(GrpcStatusCode code, int expected) =>
        Assert.Equal(expected, (int)code);
}
