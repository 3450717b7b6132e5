// Copyright 2026 The Modelplane Authors.
// SPDX-License-Identifier: Apache-2.0

// A RunFunction client on Node's @grpc/grpc-js, using the message codecs the official TypeScript
// function SDK (@crossplane-org/function-sdk-typescript) ships: an independent gRPC implementation
// and an independently generated copy of the RunFunction messages.
//
//   node client.mjs --address HOST:PORT --request FIXTURE.json [--method v1|v1beta1|/full/path]
//                   [--gzip] [--ca CA --cert CRT --key KEY --server-name NAME] [--timeout SECONDS]
//
// Prints one JSON object: {"code": "OK", "response": RunFunctionResponse.toJSON(...)} or
// {"code": "<status name>", "details": "..."}.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  RunFunctionRequest,
  RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';

const SERVICE = 'apiextensions.fn.proto.v1.FunctionRunnerService';
const BETA_SERVICE = 'apiextensions.fn.proto.v1beta1.FunctionRunnerService';

const { values: args } = parseArgs({
  options: {
    address: { type: 'string' },
    request: { type: 'string' },
    method: { type: 'string', default: 'v1' },
    gzip: { type: 'boolean', default: false },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    'server-name': { type: 'string' },
    timeout: { type: 'string', default: '60' },
  },
});

// The SDK's service definition, with its path swapped for the deprecated v1beta1 service or any
// other method: both carry byte-identical messages.
function serviceFor(method) {
  const path = method === 'v1' ? `/${SERVICE}/RunFunction`
    : method === 'v1beta1' ? `/${BETA_SERVICE}/RunFunction`
    : method;
  return { runFunction: { ...FunctionRunnerServiceService.runFunction, path } };
}

function credentials() {
  if (!args.ca) {
    return grpc.credentials.createInsecure();
  }
  return grpc.credentials.createSsl(
    readFileSync(args.ca),
    args.key ? readFileSync(args.key) : null,
    args.cert ? readFileSync(args.cert) : null,
  );
}

const options = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
if (args['server-name']) {
  options['grpc.ssl_target_name_override'] = args['server-name'];
  options['grpc.default_authority'] = args['server-name'];
}
if (args.gzip) {
  options['grpc.default_compression_algorithm'] = 2; // gzip
}

const Client = grpc.makeGenericClientConstructor(serviceFor(args.method), SERVICE);
const client = new Client(args.address, credentials(), options);
const request = RunFunctionRequest.fromJSON(JSON.parse(readFileSync(args.request, 'utf8')));
const deadline = new Date(Date.now() + Number(args.timeout) * 1000);

const statusNames = Object.fromEntries(Object.entries(grpc.status).map(([name, code]) => [code, name]));

client.runFunction(request, new grpc.Metadata(), { deadline }, (error, response) => {
  const output = error
    ? { code: statusNames[error.code] ?? String(error.code), details: error.details ?? '' }
    : { code: 'OK', details: '', response: RunFunctionResponse.toJSON(response) };
  process.stdout.write(`${JSON.stringify(output)}\n`);
  client.close();
});
