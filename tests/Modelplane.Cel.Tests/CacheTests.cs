// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

public sealed class CacheTests
{
    [Fact]
    public void TryGet_SameExpression_ReturnsSameProgram()
    {
        var cache = new CelProgramCache(["device"]);
        Assert.True(cache.TryGet("device.driver == 'a'", out var first, out _));
        Assert.True(cache.TryGet("device.driver == 'a'", out var second, out _));
        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void TryGet_InvalidExpression_CachesTheError()
    {
        var cache = new CelProgramCache();
        Assert.False(cache.TryGet("device.driver ==", out _, out var error));
        Assert.False(cache.TryGet("device.driver ==", out _, out var again));
        Assert.Same(error, again);
        Assert.Equal("at 1:17: expected an expression but found end of input", error.ToString());
        var e = Assert.Throws<CelCompileException>(() => cache.GetOrCompile("device.driver =="));
        Assert.Same(error, e.Error);
    }

    [Fact]
    public void TryGet_DeclaredVariables_ApplyToEveryProgram()
    {
        var cache = new CelProgramCache(["device"]);
        Assert.False(cache.TryGet("self.x", out _, out var error));
        Assert.Equal("at 1:1: undeclared reference to 'self'", error.ToString());
        Assert.True(new CelProgramCache().TryGet("self.x", out _, out _));
    }

    [Fact]
    public void TryGet_Full_StartsOver()
    {
        var cache = new CelProgramCache();
        for (var i = 0; i < CelProgramCache.MaxEntries + 10; i++)
        {
            cache.GetOrCompile($"{i} == {i}");
        }
        Assert.Equal(10, cache.Count);
        Assert.True(cache.GetOrCompile("5000 == 5000").Evaluate().IsTrue);
    }

    [Fact]
    public void TryGet_Concurrently_ReturnsOneProgramPerExpression()
    {
        var cache = new CelProgramCache(["device"]);
        var programs = new CelProgram[64];
        Parallel.For(0, programs.Length, i => programs[i] = cache.GetOrCompile("device.attributes['gpu.nvidia.com'].nvlink"));
        Assert.All(programs, p => Assert.True(p.Matches(Fixtures.Devices["h100"])));
        Assert.Equal(1, cache.Count);
        Assert.Same(programs[0], cache.GetOrCompile("device.attributes['gpu.nvidia.com'].nvlink"));
    }

    [Fact]
    public void TryGet_LargePrograms_StayWithinTheByteBound()
    {
        // 400 distinct selectors of about 20 KB compile to about 100 KB each: 40 MB if all were kept.
        var cache = new CelProgramCache(["device"]);
        var text = new string('x', 20_000);
        for (var i = 0; i < 400; i++)
        {
            Assert.True(cache.GetOrCompile($"device.driver == '{text}{i}'").Matches(Fixtures.Devices["h100"]) == false);
            Assert.InRange(cache.Bytes, 1, CelProgramCache.MaxBytes);
        }
        Assert.True(cache.Count < 400);
    }

    [Fact]
    public void TryGet_ProgramOverTheEntryBound_IsCompiledButNotKept()
    {
        var cache = new CelProgramCache();
        var huge = $"'{new string('y', 100_000)}' != ''";
        Assert.True(cache.GetOrCompile(huge).Evaluate().IsTrue);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void TryGet_WithLimits_CachesTheCostRefusal()
    {
        var cache = new CelProgramCache(["device"], CelLimits.DeviceSelector);
        const string expression = "device.attributes.all(a, device.attributes.all(b, device.attributes.all(c, device.attributes.all(d, true))))";
        Assert.False(cache.TryGet(expression, out _, out var error));
        Assert.Contains("exceeds the limit of 1,000,000", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, cache.Count);
    }
}
