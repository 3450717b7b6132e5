// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Modelplane.Server.Tests.Support;

/// <summary>Which server executable a test runs: the JIT build next to the tests, or the NativeAOT binary.</summary>
public static class ServerBuilds
{
    public const string Jit = "jit";
    public const string Aot = "aot";

    /// <summary>The NativeAOT binary <c>make test</c> names; unset in a quick local <c>dotnet test</c>.</summary>
    public const string AotVariable = "MODELPLANE_AOT_BINARY";

    /// <summary>The builds to test: the JIT build always, and the NativeAOT binary whenever one is named.</summary>
    public static IReadOnlyList<string> All =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AotVariable)) ? [Jit] : [Jit, Aot];

    /// <summary>The program and leading arguments that start a build.</summary>
    public static (string FileName, string[] Prefix) Command(string build)
    {
        if (build == Aot)
        {
            var binary = Environment.GetEnvironmentVariable(AotVariable);
            Assert.False(string.IsNullOrEmpty(binary), $"{AotVariable} is not set");
            Assert.True(File.Exists(binary), $"{AotVariable} names {binary}, which does not exist; run make publish");
            return (binary!, []);
        }
        // Referencing the server project copies its build next to the tests, whatever the artifacts path.
        var dll = Path.Combine(AppContext.BaseDirectory, "modelplane-function.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return (string.IsNullOrEmpty(dotnet) ? "dotnet" : dotnet, [dll]);
    }
}

/// <summary>Paths in the repository, wherever the test assembly was built to.</summary>
public static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static string Interop(params string[] parts) => Path.Combine([Root, "tests", "interop", .. parts]);
}

/// <summary>A child process whose output is collected line by line; killed (with its children) on dispose.</summary>
public class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChildProcess(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // A server must not pick up certificates from the test's own environment by accident.
        start.Environment.Remove("TLS_SERVER_CERTS_DIR");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, _stdoutClosed);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, _stderrClosed);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        CommandLine = $"{fileName} {string.Join(' ', args)}";
    }

    public string CommandLine { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits (bounded) for the process to exit and its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{CommandLine} did not exit within {timeout.TotalSeconds} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal by name (TERM, INT) with the shell's built-in kill, which every system has.</summary>
    public void Signal(string name)
    {
        var command = $"kill -s {name} {Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        using var kill = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })!;
        Assert.True(kill.WaitForExit(TimeSpan.FromSeconds(30)), "kill did not finish");
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits (bounded) until a line of stdout or stderr satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, bool stdout = false)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = (stdout ? Stdout : Stderr).Split('\n').FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }
            if (HasExited)
            {
                // One more look: output may have been read after the exit was seen.
                await Task.Delay(100);
                line = (stdout ? Stdout : Stderr).Split('\n').FirstOrDefault(match);
                Assert.True(line is not null, $"{CommandLine} exited with {_process.ExitCode} before the expected line\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
                return line!;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{CommandLine}: no expected line within {timeout.TotalSeconds} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            await Task.Delay(25);
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private static void Append(StringBuilder output, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }
}

/// <summary>The real server executable (JIT build or NativeAOT binary), started on loopback port 0.</summary>
public sealed class ServerProcess : ChildProcess
{
    private ServerProcess(string build, string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment)
        : base(fileName, args, environment)
    {
        Build = build;
    }

    public string Build { get; }

    public IPEndPoint GrpcEndPoint { get; private set; } = null!;

    public IPEndPoint? MetricsEndPoint { get; private set; }

    /// <summary>"insecure" or "mtls", as the server says when it starts.</summary>
    public string Transport { get; private set; } = "";

    /// <summary>The garbage collector's mode, as the server says when it starts.</summary>
    public string Gc { get; private set; } = "";

    /// <summary>The address a client dials: loopback and the bound port, whatever address was bound.</summary>
    public string Address => $"127.0.0.1:{GrpcEndPoint.Port}";

    public Uri GrpcUri => new($"http://{Address}");

    public Uri MetricsUri => new($"http://127.0.0.1:{MetricsEndPoint!.Port}");

    /// <summary>Starts a build without waiting for it to serve (for start-up refusals).</summary>
    public static ServerProcess Launch(string build, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var (fileName, prefix) = ServerBuilds.Command(build);
        return new ServerProcess(build, fileName, [.. prefix, .. args], environment);
    }

    /// <summary>Starts a build and waits (bounded) for its "serving" line, which names the bound ports.</summary>
    public static async Task<ServerProcess> StartAsync(string build, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var server = Launch(build, args, environment);
        try
        {
            var line = await server.WaitForLineAsync(l => l.Contains("\"EventId\":2,", StringComparison.Ordinal) && l.Contains("\"Category\":\"Modelplane.Server\"", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
            var serving = LogLines.Parse(line)!;
            server.GrpcEndPoint = IPEndPoint.Parse((string)serving["grpc"]!);
            var metrics = (string)serving["metrics"]!;
            server.MetricsEndPoint = metrics == "none" ? null : IPEndPoint.Parse(metrics);
            server.Transport = (string)serving["transport"]!;
            server.Gc = (string)serving["gc"]!;
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Plaintext on loopback, both ports chosen by the system unless <paramref name="extra"/> says otherwise.</summary>
    public static Task<ServerProcess> StartInsecureAsync(string build, params string[] extra) =>
        StartAsync(build, extra.Contains("--metrics-address")
            ? ["--insecure", "--address", "127.0.0.1:0", .. extra]
            : ["--insecure", "--address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", .. extra]);

    /// <summary>Waits (bounded) until the server has logged <paramref name="count"/> calls; it logs after answering.</summary>
    public async Task WaitForCallLinesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (CallLines().Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} RunFunction lines within 60 s\nstderr:\n{Stderr}");
            await Task.Delay(25);
        }
    }

    /// <summary>The RunFunction lines the server logged so far.</summary>
    public IReadOnlyList<JsonObject> CallLines() => LogLines.ParseAll(Stderr).Where(LogLines.IsCall).ToArray();
}
