// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

using Modelplane.Render;

return await Cli.Root.Parse(args).InvokeAsync();
