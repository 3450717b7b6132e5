// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

namespace Modelplane.Cel.Tests;

/// <summary>Semantic versions: the CEL library (the behaviours test_semver.py pins) and the C# type.</summary>
public sealed class SemVersionTests
{
    [Theory]
    [InlineData("semver(\"2.4.6\").compareTo(semver(\"2.4.6\"))", "0")]
    [InlineData("semver(\"0.2.0-beta.3\").major()", "0")]
    [InlineData("isSemver(\"2.4.6-rc.2+sha.5114f85\")", "true")]
    [InlineData("isSemver(\"3.0.0\")", "true")]
    // Strict parsing.
    [InlineData("isSemver(\"latest\")", "false")]
    [InlineData("isSemver(\"\")", "false")]
    [InlineData("isSemver(\"v3.0.0\")", "false")]
    [InlineData("isSemver(\"v3.0\")", "false")]
    [InlineData("isSemver(\" 3.0.0\")", "false")]
    [InlineData("isSemver(\"3. 0.0\")", "false")]
    [InlineData("isSemver(\"3.0.0 \")", "false")]
    [InlineData("isSemver(\"03.02.01\")", "false")]
    [InlineData("isSemver(\"3\")", "false")]
    [InlineData("isSemver(\"3.2\")", "false")]
    [InlineData("isSemver(\"300K\")", "false")]
    [InlineData("isSemver(\"Gi\")", "false")]
    [InlineData("isSemver(\"3.2.1.0\")", "false")]
    [InlineData("isSemver(\"3.2.1-\")", "false")]
    [InlineData("isSemver(\"3.2.1+\")", "false")]
    [InlineData("isSemver(\"3.2.1-alpha..1\")", "false")]
    [InlineData("isSemver(\"3.2.1-01\")", "false")]
    [InlineData("isSemver(\"3.2.1-0a\")", "true")]
    [InlineData("isSemver(\"3.2.1-a_b\")", "false")]
    [InlineData("isSemver(\"3.2.1+build.007\")", "true")]
    // Normalizing parse.
    [InlineData("isSemver(\"\", true)", "false")]
    [InlineData("isSemver(\" 3.0.0\", true)", "false")]
    [InlineData("isSemver(\"3. 0.0\", true)", "false")]
    [InlineData("isSemver(\"3.0.0 \", true)", "false")]
    [InlineData("isSemver(\"v3.0.0\", true)", "true")]
    [InlineData("isSemver(\"03.02.01\", true)", "true")]
    [InlineData("isSemver(\"3\", true)", "true")]
    [InlineData("isSemver(\"3.2\", true)", "true")]
    [InlineData("isSemver(\"3.2-rc\", true)", "false")]
    [InlineData("isSemver(\"V3.0.0\", true)", "false")]
    [InlineData("isSemver(\"3.0.0\", false)", "true")]
    [InlineData("semver(\"v03.04\", true) == semver(\"3.4.0\")", "true")]
    [InlineData("semver(\"v3.0.0\", true).major()", "3")]
    [InlineData("semver(\"3.4\", true).patch()", "0")]
    [InlineData("semver(\"03.04.05\", true).minor()", "4")]
    [InlineData("semver(\"3.00.0-rc\", true)", "semver(\"3.0.0-rc\")")]
    // Comparison.
    [InlineData("semver(\"2.4.6\") == semver(\"2.4.6\")", "true")]
    [InlineData("semver(\"2.4.6\") == semver(\"2.0.0\")", "false")]
    [InlineData("semver(\"2.4.6+a\") == semver(\"2.4.6+b\")", "true")]
    [InlineData("semver(\"2.0.0\").isLessThan(semver(\"2.4.6\"))", "true")]
    [InlineData("semver(\"2.0.0\").isLessThan(semver(\"2.0.0\"))", "false")]
    [InlineData("semver(\"2.4.6\").isGreaterThan(semver(\"2.0.0\"))", "true")]
    [InlineData("semver(\"2.0.0\").isGreaterThan(semver(\"2.0.0\"))", "false")]
    [InlineData("semver(\"2.4.6\").compareTo(semver(\"3.0.0\"))", "-1")]
    [InlineData("semver(\"2.4.6\").compareTo(semver(\"1.9.9\"))", "1")]
    [InlineData("semver(\"2.0.0-rc.1\").isLessThan(semver(\"2.0.0\"))", "true")]
    [InlineData("semver(\"2.4.6\").major()", "2")]
    [InlineData("semver(\"2.4.6\").minor()", "4")]
    [InlineData("semver(\"2.4.6\").patch()", "6")]
    [InlineData("major(semver(\"7.8.9\"))", "7")]
    // Errors are non-matches.
    [InlineData("semver(\"v3.0\").major() == 3", "error: invalid semantic version \"v3.0\": no Major.Minor.Patch elements found")]
    [InlineData("semver(\"3.2-rc\", true)", "error: invalid semantic version \"3.2-rc\": short version cannot contain pre-release or build metadata")]
    [InlineData("semver(\"1.0.0\") < semver(\"2.0.0\")", "error: no matching overload for '<' applied to (kubernetes.Semver, kubernetes.Semver)")]
    [InlineData("semver(\"1.0.0\").compareTo(quantity(\"1\"))", "error: no matching overload for 'compareTo' applied to (kubernetes.Semver, kubernetes.Quantity)")]
    [InlineData("semver(\"1.0.0\", 1)", "error: no matching overload for 'semver' applied to (string, int)")]
    public void Evaluate_SemverExpression_ReturnsExpected(string expression, string want) =>
        Assert.Equal(want, Fixtures.Run(expression));

    [Theory]
    [InlineData("v3.0")]
    [InlineData("3")]
    [InlineData("3.2")]
    [InlineData("03.02.01")]
    [InlineData(" 3.0.0")]
    [InlineData("3.0.0 ")]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("1.0.0-")]
    [InlineData("1.0.0+")]
    [InlineData("18446744073709551616.0.0")]
    public void Parse_Malformed_Rejects(string text)
    {
        Assert.False(SemVersion.TryParse(text, out _));
        Assert.Throws<FormatException>(() => SemVersion.Parse(text));
    }

    [Theory]
    [InlineData("v1", "1.0.0")]
    [InlineData("1.2", "1.2.0")]
    [InlineData("v001.002.003", "1.2.3")]
    [InlineData("1.0.0-rc.1+build.5", "1.0.0-rc.1+build.5")]
    [InlineData("1.0.00-rc", "1.0.0-rc")]
    public void Parse_Normalize_PadsAndStrips(string text, string want) =>
        Assert.Equal(want, SemVersion.Parse(text, normalize: true).ToString());

    [Fact]
    public void CompareTo_PrereleaseChain_IsAscending()
    {
        // The precedence example from the semver specification, in order.
        string[] ascending =
        [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
            "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0",
        ];
        for (var i = 1; i < ascending.Length; i++)
        {
            var lower = SemVersion.Parse(ascending[i - 1]);
            var higher = SemVersion.Parse(ascending[i]);
            Assert.True(lower < higher, $"{lower} < {higher}");
            Assert.Equal(1, higher.CompareTo(lower));
        }
    }

    [Fact]
    public void Equals_BuildMetadata_IsIgnored()
    {
        var a = SemVersion.Parse("1.2.3-rc.1+linux");
        var b = SemVersion.Parse("1.2.3-rc.1+darwin.arm64");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(["rc", "1"], a.Prerelease);
        Assert.Equal(["darwin", "arm64"], b.Build);
        Assert.Equal((1UL, 2UL, 3UL), (a.Major, a.Minor, a.Patch));
    }

    [Fact]
    public void CompareTo_LongerPrerelease_RanksHigher() =>
        Assert.True(SemVersion.Parse("1.0.0-rc.1") < SemVersion.Parse("1.0.0-rc.1.1"));
}
