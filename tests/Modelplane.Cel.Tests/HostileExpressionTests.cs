// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

/// <summary>Expressions written to stall or bloat the scheduler: refused by the static estimate, stopped by cost, budget or cancellation.</summary>
public sealed class HostileExpressionTests
{
    // The issue's 9 KB selector: 40 regular-expression matches of a 4,000-character text against a
    // pattern of 350 counted groups. Charged text plus pattern it cost 320,000 and ran 8 s a call.
    private static readonly string NineKbSelector =
        $"[{string.Join(",", Enumerable.Range(0, 40))}].all(i, '{new string('a', 4000)}'.matches('{string.Concat(Enumerable.Repeat("[a-z]{1,1000}", 350))}' + string(i)))";

    [Fact]
    public void Compile_NineKilobyteRegexSelector_IsRefusedByItsEstimatedCost()
    {
        Assert.InRange(NineKbSelector.Length, 8_000, 10_000);
        Assert.False(CelProgram.TryCompile(NineKbSelector, ["device"], CelLimits.DeviceSelector, out _, out var error));
        Assert.Equal(
            "at 1:1: estimated worst-case cost 18,695,042 exceeds the limit of 1,000,000; make it cheaper: fewer or shorter regular expressions, smaller lists in comprehensions, less nesting",
            error.ToString());
    }

    [Fact]
    public void Evaluate_NineKilobyteRegexSelector_StopsAtTheCostLimitOnItsSecondMatch()
    {
        // Compiled without the estimate, evaluation's own charge (text × pattern) still stops it: the
        // first match costs 456,338 units, so the third cannot start.
        var program = CelProgram.Compile(NineKbSelector);
        Assert.Equal("error: evaluation cost limit exceeded", program.Evaluate().ToString());
    }

    [Theory]
    // Ordinary selectors stay far below the limit; variables count at DRA's 64-character bound.
    [InlineData("device.driver == 'gpu.nvidia.com'", 4)]
    // Seven nodes, then matches: ceil(65 × 0.1) × ceil(11 × 0.25) = 7 × 3.
    [InlineData("device.attributes['gpu.nvidia.com'].productName.matches('^NVIDIA H100')", 28)]
    [InlineData("device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('20Gi')) >= 0", 10)]
    // A comprehension multiplies its body by the size of what it ranges over.
    [InlineData("[1, 2, 3].all(x, x > 0)", 17)]
    // 1 + 4 (the list) + 3 × (1 + 17 for the inner comprehension).
    [InlineData("[1, 2, 3].all(x, [1, 2, 3].exists(y, x == y))", 59)]
    // matches is a tenth of the text times a quarter of the pattern, as cel-go charges it.
    [InlineData("'aaaaaaaaaa'.matches('a+b+c+d+')", 7)]
    public void EstimatedCost_Rows(string expression, long expected)
    {
        Assert.True(CelProgram.TryCompile(expression, ["device"], CelLimits.DeviceSelector, out var program, out var error), error?.ToString());
        Assert.Equal(expected, program.EstimatedCost);
    }

    [Fact]
    public void EstimatedCost_NestedComprehensionsOverVariables_AreRefused()
    {
        // 64⁴ steps at DRA's bounds, two units each: 34 million, whatever the device holds today.
        const string expression = "device.attributes.all(a, device.attributes.all(b, device.attributes.all(c, device.attributes.all(d, true))))";
        Assert.False(CelProgram.TryCompile(expression, ["device"], CelLimits.DeviceSelector, out _, out var error));
        Assert.StartsWith("at 1:1: estimated worst-case cost 34,619,651 exceeds", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ReplaceOverTheLimit_FailsBeforeBuildingTheString()
    {
        // 10,000 characters each replaced by 5,000: 50 MB if built. The charge comes first, so
        // evaluation fails having allocated nothing of that size.
        var expression = $"'{new string('a', 10_000)}'.replace('a', '{new string('b', 5_000)}')";
        var program = CelProgram.Compile(expression);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = program.Evaluate();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("error: evaluation cost limit exceeded", result.ToString());
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes before failing");
    }

    [Theory]
    // One code point outside the Basic Multilingual Plane is one match of '.', as in RE2.
    [InlineData("'😀'.matches('^.$')", "true")]
    [InlineData("'a😀b'.matches('^.{3}$')", "true")]
    [InlineData("'😀'.matches('^[^a]$')", "true")]
    [InlineData("'😀😀'.matches('^\\\\S{2}$')", "true")]
    [InlineData("'😀'.matches('^..$')", "false")]
    [InlineData("'😀'.matches('^[^a][^a]$')", "false")]
    [InlineData("'a\\nb'.matches('^a.b$')", "false")]
    [InlineData("'a\\nb'.matches('(?s)^a.b$')", "true")]
    // Classes and escaped dots are unchanged.
    [InlineData("'a.b'.matches('^a\\\\.b$')", "true")]
    [InlineData("'axb'.matches('^a\\\\.b$')", "false")]
    [InlineData("'a.b'.matches('^[a.]+b$')", "true")]
    public void Matches_OutsideTheBasicMultilingualPlane_CountsCodePoints(string expression, string expected) =>
        Assert.Equal(expected, Fixtures.Run(expression));

    [Fact]
    public void Evaluate_CancelledBudget_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var program = CelProgram.Compile("[1, 2, 3].all(x, x > 0)");
        Assert.ThrowsAny<OperationCanceledException>(() => program.Evaluate(budget: new CelBudget(TimeSpan.FromHours(1), cancelled.Token)));
        Assert.True(program.Evaluate(budget: new CelBudget(TimeSpan.FromHours(1))).IsTrue);
    }

    [Fact]
    public void Evaluate_SpentBudget_ThrowsInsteadOfAnsweringNoMatch()
    {
        // A spent budget is an exception that ends the call, not an error a selector would absorb.
        var program = CelProgram.Compile("device.driver == 'gpu.nvidia.com'", ["device"]);
        var spent = new CelBudget(TimeSpan.Zero);
        var e = Assert.Throws<CelTimeBudgetExceededException>(() => program.Matches(Fixtures.Devices["h100"], spent));
        Assert.Equal("evaluating CEL took longer than its budget of 0 ms per call", e.Message);
    }

    [Fact]
    public void Evaluate_LongComprehension_ChecksTheBudgetAsItRuns()
    {
        // Cancelled after compile but before the 1,000-step comprehension ends: the check inside
        // Charge sees it; without a budget the same program completes.
        var program = CelProgram.Compile($"[{string.Join(",", Enumerable.Range(0, 1000))}].map(x, x * 2).size() == 1000");
        Assert.True(program.Evaluate().IsTrue);
        using var source = new CancellationTokenSource();
        var budget = new CelBudget(TimeSpan.FromHours(1), source.Token);
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => program.Evaluate(budget: budget));
    }
}
