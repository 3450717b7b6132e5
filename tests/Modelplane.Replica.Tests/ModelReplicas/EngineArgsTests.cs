// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Functions.ModelReplicas;

namespace Modelplane.Replica.Tests.ModelReplicas;

public sealed class EngineArgsTests
{
    [Theory]
    [InlineData(new string[0], 16)]
    [InlineData(new[] { "--block-size", "32" }, 32)]
    [InlineData(new[] { "--block-size=8" }, 8)]
    [InlineData(new[] { "--page-size=64" }, 64)]
    [InlineData(new[] { "--block-size=auto" }, 16)]
    [InlineData(new[] { "--block-size" }, 16)]
    [InlineData(new[] { "--block-size=-4" }, 16)]
    [InlineData(new[] { "--page-size", "128", "--block-size=32" }, 128)]
    [InlineData(new[] { "--max-block-size=32" }, 16)]
    public void BlockSize_Args_FirstFlagOrDefault(string[] args, int expected) =>
        Assert.Equal(expected, EngineArgs.BlockSize(args));

    [Theory]
    [InlineData(new string[0], 8001)]
    [InlineData(new[] { "--port=9000" }, 9000)]
    [InlineData(new[] { "--port", "8200" }, 8200)]
    [InlineData(new[] { "--port=http" }, null)]
    [InlineData(new[] { "--port=70000" }, null)]
    [InlineData(new[] { "--port" }, null)]
    [InlineData(new[] { "--metrics-port=9100" }, 8001)]
    public void DecodePort_Args_PortDefaultOrNull(string[] args, int? expected) =>
        Assert.Equal(expected, EngineArgs.DecodePort(args));

    [Theory]
    [InlineData(new[] { "--max-model-len=8192" }, null, true, new[] { "--max-model-len=8192", "--model=/mnt/models" })]
    [InlineData(new string[0], null, true, new[] { "--model=/mnt/models" })]
    [InlineData(new[] { "--model=/mnt/models" }, null, true, new[] { "--model=/mnt/models" })]
    [InlineData(new[] { "--model", "Qwen/Qwen3-8B" }, null, true, new[] { "--model", "Qwen/Qwen3-8B" })]
    [InlineData(new[] { "--tp=2" }, null, false, new[] { "--tp=2" })]
    [InlineData(new[] { "--model-path=/mnt/models" }, new[] { "python3", "-m", "sglang.launch_server" }, true, new[] { "--model-path=/mnt/models" })]
    [InlineData(new[] { "--served-model-name=qwen" }, null, true, new[] { "--served-model-name=qwen", "--model=/mnt/models" })]
    public void WithCacheModel_Args_InjectsOnlyForCachedEntrypointEnginesWithoutModel(string[] args, string[]? command, bool cached, string[] expected) =>
        Assert.Equal(expected, EngineArgs.WithCacheModel(args, command, cached));
}
