// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;

namespace Modelplane.Functions.ModelReplicas;

/// <summary>What we read from, and the one thing we add to, an engine's command-line arguments.</summary>
/// <remarks>
/// Engine flags are the user's: we never rewrite them, and read only three, in either
/// <c>--flag value</c> or <c>--flag=value</c> form, the first occurrence winning. Flags inside a shell
/// <c>command</c> are not seen; that is the price of passing commands through verbatim.
/// </remarks>
internal static class EngineArgs
{
    /// <summary>vLLM's default KV block size, used when the engine does not set one.</summary>
    public const int DefaultBlockSize = 16;

    /// <summary>Where a PrefillDecode decode engine listens when it sets no <c>--port</c>: the sidecar owns 8000.</summary>
    public const int DefaultDecodePort = 8001;

    /// <summary>Where the model cache is mounted in every engine pod: the contract the ModelCache API fixes.</summary>
    public const string CacheMountPath = Modelplane.Apis.ModelCaches.ModelCache.MountPath;

    private const string ModelFlag = "--model";

    /// <summary>The value of the first of <paramref name="flags"/> in <paramref name="args"/>; "" for a flag with no value, null if absent.</summary>
    public static string? FlagValue(IReadOnlyList<string> args, params string[] flags)
    {
        for (var i = 0; i < args.Count; i++)
        {
            foreach (var flag in flags)
            {
                if (args[i] == flag)
                {
                    return i + 1 < args.Count ? args[i + 1] : "";
                }
                if (args[i].StartsWith(flag + "=", StringComparison.Ordinal))
                {
                    return args[i][(flag.Length + 1)..];
                }
            }
        }
        return null;
    }

    /// <summary>The KV block size the prefix-cache producer must assume: vLLM's <c>--block-size</c> or SGLang's <c>--page-size</c>.</summary>
    public static int BlockSize(IReadOnlyList<string> args) =>
        FlagValue(args, "--block-size", "--page-size") is { } value
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0
            ? size
            : DefaultBlockSize;

    /// <summary>The port a decode engine listens on, or null when its <c>--port</c> is not a port number.</summary>
    public static int? DecodePort(IReadOnlyList<string> args) =>
        FlagValue(args, "--port") switch
        {
            null => DefaultDecodePort,
            var value when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 => port,
            _ => null,
        };

    /// <summary>
    /// The serving container's args with <c>--model=/mnt/models</c> appended when a cache is mounted, the
    /// engine runs the image's entrypoint (vLLM), and the user named no model themselves.
    /// </summary>
    /// <remarks>An engine with a <c>command</c> (SGLang's <c>--model-path</c>, <c>vllm serve /mnt/models</c>) points at the cache itself.</remarks>
    public static IReadOnlyList<string> WithCacheModel(IReadOnlyList<string> args, IReadOnlyList<string>? command, bool cached) =>
        cached && command is not { Count: > 0 } && !args.Any(a => a == ModelFlag || a.StartsWith(ModelFlag + "=", StringComparison.Ordinal))
            ? [.. args, $"{ModelFlag}={CacheMountPath}"]
            : args;
}
