// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Modelplane.Server.Tests.Support;

/// <summary>Log lines in one shape, whether captured in process or read from the server's stderr.</summary>
/// <remarks>
/// The shape is the JSON console formatter's with <c>State</c> flattened: the named values of the
/// message (<c>tag</c>, <c>grpcStatus</c>, ...) beside <c>LogLevel</c>, <c>EventId</c>, <c>Category</c>,
/// <c>Message</c> and <c>Exception</c>.
/// </remarks>
public static class LogLines
{
    /// <summary>One stderr line of the JSON console formatter, flattened; null for anything else.</summary>
    public static JsonObject? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }
        var json = (JsonObject)JsonNode.Parse(line)!;
        var flat = new JsonObject();
        foreach (var (key, value) in json)
        {
            if (key != "State")
            {
                flat[key] = value?.DeepClone();
            }
        }
        if (json["State"] is JsonObject state)
        {
            foreach (var (key, value) in state)
            {
                if (key != "{OriginalFormat}" && key != "Message")
                {
                    flat[key] = value?.DeepClone();
                }
            }
        }
        return flat;
    }

    public static IReadOnlyList<JsonObject> ParseAll(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).OfType<JsonObject>().ToArray();

    public static bool IsCall(JsonObject line) => (int?)line["EventId"] == Log.CallEvent;
}

/// <summary>Captures what the server logs, in the flattened shape of <see cref="LogLines"/>.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<JsonObject> _lines = [];

    public IReadOnlyList<JsonObject> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.Select(l => (JsonObject)l.DeepClone()).ToArray();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new JsonObject
            {
                ["LogLevel"] = logLevel.ToString(),
                ["EventId"] = eventId.Id,
                ["Category"] = category,
                ["Message"] = formatter(state, exception),
            };
            if (exception is not null)
            {
                line["Exception"] = exception.ToString();
            }
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key != "{OriginalFormat}")
                    {
                        line[key] = value switch
                        {
                            null => null,
                            double d => d,
                            int i => i,
                            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                        };
                    }
                }
            }
            lock (provider._lines)
            {
                provider._lines.Add(line);
            }
        }
    }
}
