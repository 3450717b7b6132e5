// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Modelplane.Cel;

/// <summary>A semantic version, parsed and ordered by the rules of blang/semver v4.</summary>
/// <remarks>
/// Kubernetes DRA publishes device versions (driver and firmware versions, CUDA compute capability)
/// as semantic versions and compares them with blang/semver, so we follow its rules exactly rather
/// than any looser reading of semver.org: strict parsing wants all three of
/// <c>MAJOR.MINOR.PATCH</c>, no leading zeros, no <c>v</c> prefix and no whitespace; a <c>-</c> or
/// <c>+</c> must be followed by identifiers. The normalizing parse is DRA's <c>semver(s, true)</c>
/// overload: it drops one leading <c>v</c>, strips leading zeros and pads a short version with
/// zeros (<c>v01.01</c> is 1.1.0), but unlike blang's ParseTolerant it does not trim whitespace.
/// Ordering is semver precedence; build metadata is kept for printing but never affects ordering
/// or equality, so <c>1.0.0+a</c> equals <c>1.0.0+b</c>.
/// </remarks>
public sealed class SemVersion : IEquatable<SemVersion>, IComparable<SemVersion>
{
    private SemVersion(ulong major, ulong minor, ulong patch, string[] prerelease, string[] build)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Build = build;
    }

    public ulong Major { get; }

    public ulong Minor { get; }

    public ulong Patch { get; }

    /// <summary>The pre-release identifiers, e.g. <c>["rc", "1"]</c> for <c>1.0.0-rc.1</c>.</summary>
    public IReadOnlyList<string> Prerelease { get; }

    /// <summary>The build metadata identifiers; they take no part in ordering or equality.</summary>
    public IReadOnlyList<string> Build { get; }

    /// <summary>Parses a version strictly, or with DRA's normalization when <paramref name="normalize"/> is set.</summary>
    public static SemVersion Parse(string s, bool normalize = false)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, normalize, out var version, out var error) ? version : throw new FormatException(error);
    }

    /// <summary>Parses a version strictly, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, [NotNullWhen(true)] out SemVersion? version) =>
        TryParse(s, normalize: false, out version, out _);

    /// <summary>Parses a version strictly or with DRA's normalization, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, bool normalize, [NotNullWhen(true)] out SemVersion? version) =>
        TryParse(s, normalize, out version, out _);

    internal static bool TryParse(
        [NotNullWhen(true)] string? s,
        bool normalize,
        [NotNullWhen(true)] out SemVersion? version,
        [NotNullWhen(false)] out string? error)
    {
        version = null;
        if (s is null)
        {
            error = "invalid semantic version: null";
            return false;
        }
        var text = s;
        if (normalize && !TryNormalize(s, out text, out error))
        {
            return false;
        }
        if (!Strict(text, out version, out error))
        {
            error = $"invalid semantic version \"{s}\": {error}";
            return false;
        }
        return true;
    }

    /// <summary>−1, 0 or 1 by semver precedence (build metadata ignored).</summary>
    public int CompareTo(SemVersion? other)
    {
        if (other is null)
        {
            return 1;
        }
        var c = Major.CompareTo(other.Major);
        if (c == 0)
        {
            c = Minor.CompareTo(other.Minor);
        }
        if (c == 0)
        {
            c = Patch.CompareTo(other.Patch);
        }
        return c != 0 ? Math.Sign(c) : ComparePrerelease(Prerelease, other.Prerelease);
    }

    public bool Equals(SemVersion? other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is SemVersion other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Major);
        hash.Add(Minor);
        hash.Add(Patch);
        foreach (var id in Prerelease)
        {
            // Numeric identifiers have no leading zeros, so equal identifiers are equal strings.
            hash.Add(id, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }

    public static bool operator ==(SemVersion? left, SemVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(SemVersion? left, SemVersion? right) => !(left == right);

    public static bool operator <(SemVersion? left, SemVersion? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(SemVersion? left, SemVersion? right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(SemVersion? left, SemVersion? right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(SemVersion? left, SemVersion? right) => left is null ? right is null : left.CompareTo(right) >= 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
        if (Prerelease.Count > 0)
        {
            text.Append('-').AppendJoin('.', Prerelease);
        }
        if (Build.Count > 0)
        {
            text.Append('+').AppendJoin('.', Build);
        }
        return text.ToString();
    }

    private static bool Strict(string s, [NotNullWhen(true)] out SemVersion? version, [NotNullWhen(false)] out string? error)
    {
        version = null;
        error = StrictCore(s, ref version);
        return error is null;
    }

    // Returns null on success, else why the text is not a strict semantic version.
    private static string? StrictCore(string s, ref SemVersion? version)
    {
        if (s.Length == 0)
        {
            return "version string empty";
        }
        var parts = s.Split('.', 3);
        if (parts.Length != 3)
        {
            return "no Major.Minor.Patch elements found";
        }
        if (!TryNumber(parts[0], out var major, out var error) || !TryNumber(parts[1], out var minor, out error))
        {
            return error;
        }

        var rest = parts[2];
        string[] build = [];
        string[] prerelease = [];
        var plus = rest.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            build = rest[(plus + 1)..].Split('.');
            rest = rest[..plus];
        }
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            prerelease = rest[(dash + 1)..].Split('.');
            rest = rest[..dash];
        }
        if (!TryNumber(rest, out var patch, out error))
        {
            return error;
        }

        foreach (var id in prerelease)
        {
            if (id.Length == 0)
            {
                return "pre-release identifier is empty";
            }
            if (id.All(char.IsAsciiDigit))
            {
                if (id.Length > 1 && id[0] == '0')
                {
                    return $"numeric pre-release identifier \"{id}\" has a leading zero";
                }
                if (!ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return $"numeric pre-release identifier \"{id}\" is out of range";
                }
            }
            else if (!IsIdentifier(id))
            {
                return $"invalid character in pre-release identifier \"{id}\"";
            }
        }
        foreach (var id in build)
        {
            if (id.Length == 0)
            {
                return "build metadata identifier is empty";
            }
            if (!IsIdentifier(id))
            {
                return $"invalid character in build metadata identifier \"{id}\"";
            }
        }

        version = new SemVersion(major, minor, patch, prerelease, build);
        return null;
    }

    private static bool TryNumber(string part, out ulong value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (part.Length == 0 || !part.All(char.IsAsciiDigit))
        {
            error = $"\"{part}\" is not a number";
            return false;
        }
        if (part.Length > 1 && part[0] == '0')
        {
            error = $"\"{part}\" has a leading zero";
            return false;
        }
        if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = $"\"{part}\" is out of range";
            return false;
        }
        error = null;
        return true;
    }

    private static bool IsIdentifier(string id) => id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    // DRA's normalizeAndParse: one leading "v" dropped, leading zeros stripped, short versions padded.
    private static bool TryNormalize(string s, out string normalized, [NotNullWhen(false)] out string? error)
    {
        var text = s.StartsWith('v') ? s[1..] : s;
        var parts = text.Split('.', 3).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Length > 1)
            {
                var trimmed = parts[i].TrimStart('0');
                parts[i] = trimmed.Length == 0 || !char.IsAsciiDigit(trimmed[0]) ? "0" + trimmed : trimmed;
            }
        }
        if (parts.Count < 3)
        {
            if (parts[^1].AsSpan().IndexOfAny('+', '-') >= 0)
            {
                normalized = s;
                error = $"invalid semantic version \"{s}\": short version cannot contain pre-release or build metadata";
                return false;
            }
            while (parts.Count < 3)
            {
                parts.Add("0");
            }
        }
        normalized = string.Join('.', parts);
        error = null;
        return true;
    }

    private static int ComparePrerelease(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        // A release ranks above any of its pre-releases.
        if (a.Count == 0 || b.Count == 0)
        {
            return b.Count.CompareTo(a.Count) switch { < 0 => -1, > 0 => 1, _ => 0 };
        }
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var c = CompareIdentifier(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return Math.Sign(a.Count.CompareTo(b.Count));
    }

    private static int CompareIdentifier(string a, string b)
    {
        var aNumeric = a.All(char.IsAsciiDigit);
        var bNumeric = b.All(char.IsAsciiDigit);
        if (aNumeric && bNumeric)
        {
            return Math.Sign(ulong.Parse(a, CultureInfo.InvariantCulture).CompareTo(ulong.Parse(b, CultureInfo.InvariantCulture)));
        }
        if (aNumeric != bNumeric)
        {
            // Numeric identifiers rank below alphanumeric ones.
            return aNumeric ? -1 : 1;
        }
        return Math.Sign(string.CompareOrdinal(a, b));
    }
}
