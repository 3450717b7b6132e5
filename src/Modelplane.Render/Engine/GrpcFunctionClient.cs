// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Apiextensions.Fn.Proto.V1;
using Google.Protobuf;

namespace Modelplane.Render.Engine;

/// <summary>Calls RunFunction on a running function server over plaintext gRPC (h2c), as <c>crossplane render</c>'s Development runtime does.</summary>
/// <remarks>
/// A unary gRPC call is one HTTP/2 POST: the request message behind a 5-byte prefix (a compressed
/// flag, a big-endian length), the response message the same way, and the outcome in the
/// <c>grpc-status</c> and <c>grpc-message</c> trailers, or in the headers of a trailers-only answer.
/// Plaintext HTTP/2 needs prior knowledge, so the client asks for exactly HTTP/2 instead of upgrading
/// from HTTP/1.1. Like Crossplane's client it calls the v1 service first and retries the deprecated
/// v1beta1 service, whose messages are byte-identical, only when the server answers UNIMPLEMENTED.
/// </remarks>
public sealed class GrpcFunctionClient : IFunctionRuntime, IDisposable
{
    public const string V1Path = "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction";
    public const string V1Beta1Path = "/apiextensions.fn.proto.v1beta1.FunctionRunnerService/RunFunction";

    // gRPC status codes we name in messages; the rest print as numbers.
    private const int StatusOk = 0;
    private const int StatusUnimplemented = 12;

    private static readonly string[] CodeNames =
    [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
        "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ];

    private readonly HttpClient _http;
    private readonly Uri _baseAddress;

    public GrpcFunctionClient(string target)
    {
        Target = target;
        _baseAddress = BaseAddress(target);
        _http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = false })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The gRPC target as written, e.g. <c>localhost:9443</c> or <c>dns:///localhost:9443</c>.</summary>
    public string Target { get; }

    public string Describe => $"gRPC at {Target}";

    public async Task<RunFunctionResponse> RunAsync(RunFunctionRequest request, CancellationToken cancellationToken)
    {
        var (status, message, response) = await CallAsync(V1Path, request, cancellationToken).ConfigureAwait(false);
        if (status == StatusUnimplemented)
        {
            (status, message, response) = await CallAsync(V1Beta1Path, request, cancellationToken).ConfigureAwait(false);
        }
        if (status != StatusOk)
        {
            throw new RenderException($"rpc error: code = {CodeName(status)} desc = {message}");
        }
        return response ?? throw new RenderException("rpc error: code = Internal desc = the server answered OK without a message");
    }

    public void Dispose() => _http.Dispose();

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

    private async Task<(int Status, string Message, RunFunctionResponse? Response)> CallAsync(
        string path, RunFunctionRequest request, CancellationToken cancellationToken)
    {
        var payload = request.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)payload.Length);
        payload.CopyTo(frame, 5);

        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RenderException($"rpc error: code = Unavailable desc = cannot reach {Target}: {e.Message}; is the function running with --insecure?");
        }
        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (StatusFromHttp(response.StatusCode), $"unexpected HTTP status {(int)response.StatusCode} from {Target}", null);
            }
            // A trailers-only answer carries the status in its headers and has no message.
            if (Header(response.Headers, "grpc-status") is { } early)
            {
                return (ParseStatus(early), Unescape(Header(response.Headers, "grpc-message") ?? ""), null);
            }
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = Header(response.TrailingHeaders, "grpc-status");
            if (status is null)
            {
                return (2, $"the response from {Target} has no grpc-status trailer", null);
            }
            var code = ParseStatus(status);
            if (code != StatusOk)
            {
                return (code, Unescape(Header(response.TrailingHeaders, "grpc-message") ?? ""), null);
            }
            if (body.Length < 5 || body[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1, 4)) != body.Length - 5)
            {
                return (13, $"the response from {Target} is not one uncompressed gRPC message", null);
            }
            return (StatusOk, "", RunFunctionResponse.Parser.ParseFrom(body, 5, body.Length - 5));
        }
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static int ParseStatus(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 2;

    // gRPC's HTTP mapping for answers that never reached a gRPC handler.
    private static int StatusFromHttp(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => 13,
        HttpStatusCode.Unauthorized => 16,
        HttpStatusCode.Forbidden => 7,
        HttpStatusCode.NotFound => StatusUnimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => 14,
        _ => 2,
    };

    // grpc-message is percent-encoded UTF-8.
    private static string Unescape(string text) => Uri.UnescapeDataString(text);

    private static string CodeName(int code) =>
        code >= 0 && code < CodeNames.Length ? CodeNames[code] : code.ToString(CultureInfo.InvariantCulture);
}
