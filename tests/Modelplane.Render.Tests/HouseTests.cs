// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Reflection;
using System.Xml.Linq;
using Modelplane.Composers;
using Modelplane.Render.Tests.Support;
using Modelplane.Sdk;

namespace Modelplane.Render.Tests;

/// <summary>The lists a new composer must join that cannot be derived, checked against the folders.</summary>
/// <remarks>
/// The server is NativeAOT and scans nothing at run time, so <see cref="AllComposers"/> and the
/// composers project's references are written by hand. These rows fail, naming the file to edit, when a
/// <c>functions/&lt;Plural&gt;</c> folder is missing from one of them, exposes no composer, or when
/// a composer is left out of the registry. (Whether every registered composer is named by a
/// Composition step is the package linter's check, in <see cref="PackageTests"/>.)
/// </remarks>
public sealed class HouseTests
{
    private static readonly string[] Folders = [.. Directory.GetDirectories(Repo.Path("functions"))
        .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
        .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    public static TheoryData<string> Functions => new(Folders);

    [Fact]
    public void Functions_AreFound() => Assert.Contains("ModelServices", Folders);

    [Theory]
    [MemberData(nameof(Functions))]
    public void Function_IsReferencedByTheComposersProject(string folder)
    {
        var references = ProjectReferences(Repo.Path("src", "Modelplane.Composers", "Modelplane.Composers.csproj"));

        Assert.True(references.Contains($"functions/{folder}/{folder}.csproj"),
            $"functions/{folder} is not referenced by src/Modelplane.Composers/Modelplane.Composers.csproj; add <ProjectReference Include=\"../../functions/{folder}/{folder}.csproj\" />");
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Function_HasExactlyOneTestFolder(string folder)
    {
        // tests/<Project>/<Plural>/: a newcomer finds a composer's tests by its folder name, in one place.
        var found = Directory.GetDirectories(Repo.Path("tests"))
            .Select(project => Path.Combine(project, folder))
            .Where(Directory.Exists)
            .Select(d => Path.GetRelativePath(Repo.Path(), d).Replace('\\', '/'))
            .ToArray();

        Assert.True(found.Length == 1,
            found.Length == 0
                ? $"functions/{folder} has no tests/<Project>/{folder}/ folder; put its golden cases there (see CONTRIBUTING's map)"
                : $"functions/{folder} is tested in {found.Length} folders ({string.Join(", ", found)}); keep one");
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Function_IsInTheSolution(string folder) =>
        Assert.True(File.ReadAllText(Repo.Path("Modelplane.sln")).Contains($"\"functions\\{folder}\\{folder}.csproj\"", StringComparison.Ordinal),
            $"functions/{folder} is not in Modelplane.sln; run dotnet sln add --solution-folder functions functions/{folder}/{folder}.csproj");

    [Theory]
    [MemberData(nameof(Functions))]
    public void Function_ComposersAreAllRegistered(string folder)
    {
        var assembly = Assembly.Load($"Modelplane.Functions.{folder}");
        var composers = assembly.GetExportedTypes()
            .Select(t => t.GetProperty("Composer", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(Composer))
            .Select(p => (Composer)p!.GetValue(null)!)
            .ToArray();

        Assert.True(composers.Length > 0, $"functions/{folder} exposes no `public static Composer Composer`; a function folder holds at least one composer");
        foreach (var composer in composers)
        {
            Assert.True(AllComposers.List.Contains(composer),
                $"composer {composer.Name} (functions/{folder}) is not in src/Modelplane.Composers/AllComposers.cs; register it there");
        }
    }

    [Fact]
    public void Registry_HoldsOnlyComposersOfFunctionFolders() =>
        Assert.All(AllComposers.List, c =>
        {
            var assembly = c.Compose.Method.DeclaringType!.Assembly.GetName().Name!;
            Assert.StartsWith("Modelplane.Functions.", assembly, StringComparison.Ordinal);
            Assert.Contains(assembly["Modelplane.Functions.".Length..], Folders);
        });

    private static HashSet<string> ProjectReferences(string project) =>
        [.. XDocument.Load(project).Descendants("ProjectReference")
            .Select(r => Path.GetRelativePath(Repo.Root, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, (string)r.Attribute("Include")!)))
                .Replace('\\', '/'))];
}
