// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Render;

var parse = Cli.Root.Parse(args);
return Usage.Reject(parse, Console.Error) ?? await parse.InvokeAsync();
