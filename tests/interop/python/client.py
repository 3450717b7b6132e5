#!/usr/bin/python3
# Copyright 2026 The Modelplane Authors.
# SPDX-License-Identifier: Apache-2.0
"""A RunFunction client on Python grpcio, an independent gRPC implementation (C core).

Run with Debian's /usr/bin/python3 (python3-grpcio and python3-protobuf). The message classes
are built at run time from a serialized FileDescriptorProto of proto/fn/v1/run_function.proto
(the test writes it), so no generated code has to match this machine's protobuf runtime.

Modes (each prints one JSON object on stdout):
  --request FILE   send a proto3-JSON RunFunctionRequest; print {"code", "details"} or
                   {"code": "OK", "response": <proto3 JSON of the RunFunctionResponse>}
  --raw FILE       send FILE's bytes as the message, unparsed; same output
  --fuzz SEED:N    send N malformed requests derived from --request FILE (mutated bytes, random
                   bytes, wrong types, huge and deeply nested Structs) and one valid request after
                   them; print the status codes seen and every answer that breaks the contract
"""

import argparse
import json
import random
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf import duration_pb2, struct_pb2  # noqa: F401  (the descriptor imports them)

V1 = "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction"
V1BETA1 = "/apiextensions.fn.proto.v1beta1.FunctionRunnerService/RunFunction"
PACKAGE = "apiextensions.fn.proto.v1"

# Codes a malformed request may get: a clear refusal, or OK carrying a Fatal result.
ACCEPTABLE = {"OK", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED"}


def load_messages(descriptor_path):
    with open(descriptor_path, "rb") as f:
        file_proto = descriptor_pb2.FileDescriptorProto.FromString(f.read())
    pool = descriptor_pool.Default()
    pool.Add(file_proto)
    factory = message_factory.MessageFactory(pool)

    def message_class(name):
        descriptor = pool.FindMessageTypeByName(f"{PACKAGE}.{name}")
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        return factory.GetPrototype(descriptor)

    return message_class("RunFunctionRequest"), message_class("RunFunctionResponse")


def channel_for(args):
    options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    if args.ca is None:
        return grpc.insecure_channel(args.address, options=options)
    ca = open(args.ca, "rb").read()
    key = open(args.key, "rb").read() if args.key else None
    cert = open(args.cert, "rb").read() if args.cert else None
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)
    if args.server_name:
        options.append(("grpc.ssl_target_name_override", args.server_name))
    return grpc.secure_channel(args.address, credentials, options=options)


def call(channel, method, payload, timeout, gzip=False):
    """Sends raw bytes; returns (code name, details, response bytes or None)."""
    stub = channel.unary_unary(method)  # no serializers: bytes in, bytes out
    try:
        compression = grpc.Compression.Gzip if gzip else None
        body = stub(payload, timeout=timeout, compression=compression)
        return "OK", "", body
    except grpc.RpcError as e:
        return e.code().name, e.details() or "", None


def path_of(method):
    return {"v1": V1, "v1beta1": V1BETA1}.get(method, method)


# --- malformed requests ------------------------------------------------------------------------


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire_type, payload):
    key = varint((number << 3) | wire_type)
    if wire_type == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def nested_struct_bytes(depth):
    """A Struct nested `depth` levels ({"a": {"a": ...}}), encoded by hand so any depth is possible."""
    inner = b""
    for _ in range(depth):
        value = field(5, 2, inner)  # Value.struct_value
        entry = field(1, 2, b"a") + field(2, 2, value)  # FieldsEntry{key, value}
        inner = field(1, 2, entry)  # Struct.fields
    return inner


def nested_list_bytes(depth):
    """A Value of lists nested `depth` levels ([[[...]]]) under key "a"."""
    value = field(4, 1, (0).to_bytes(8, "little"))  # number_value 0
    for _ in range(depth):
        list_value = field(1, 2, value)  # ListValue.values
        value = field(6, 2, list_value)  # Value.list_value
    entry = field(1, 2, b"a") + field(2, 2, value)
    return field(1, 2, entry)


def composite_request(struct_bytes, tag=b"fuzz"):
    """A RunFunctionRequest whose observed composite is the given Struct bytes."""
    meta = field(1, 2, field(1, 2, tag))
    resource = field(1, 2, struct_bytes)  # Resource.resource
    state = field(1, 2, resource)  # State.composite
    return meta + field(2, 2, state)  # RunFunctionRequest.observed


def wrong_type_requests(Request):
    """Well-formed protobuf whose JSON is not what Kubernetes objects look like."""
    shapes = [
        {"apiVersion": 42, "kind": ["InteropProbe"], "metadata": "not-an-object"},
        {"apiVersion": {"group": "x"}, "kind": None, "metadata": {"name": 7, "namespace": False}},
        {"metadata": [1, 2, 3], "spec": "spec", "status": 1.5},
        {"metadata": {"name": "x" * 100000}},
        {"kind": "", "apiVersion": "", "metadata": {}},
        {"kind": "NaN", "apiVersion": "v1/v2/v3", "spec": {"weights": [float("inf"), float("-inf")]}},
    ]
    inputs = [
        {"composer": 42},
        {"composer": ["no-such-composer"]},
        {"composer": {"name": "no-such-composer"}},
        {"composer": None},
        {"composer": ""},
        {"apiVersion": "fn.modelplane.ai/v1alpha1", "kind": "Compose"},
        {"composer": "\u0000\u00ff\u2603"},
        {"composer": "no-such-composer", "extra": {"deep": [[[]]]}},
    ]
    requests = []
    for i, xr in enumerate(shapes):
        req = Request()
        req.meta.tag = f"wrong-type-xr-{i}"
        req.observed.composite.resource.update(xr)
        requests.append(req.SerializeToString())
    for i, step_input in enumerate(inputs):
        req = Request()
        req.meta.tag = f"wrong-type-input-{i}"
        req.input.update(step_input)
        req.context.update({"k": step_input})
        requests.append(req.SerializeToString())
    # A Value with no kind set, a desired resource with an unknown Ready value, a map entry with
    # neither key nor value, credentials holding binary data, required resources with empty items.
    req = Request()
    req.meta.tag = "odd-values"
    req.observed.composite.resource.fields["metadata"].Clear()
    req.desired.resources["r"].ready = 7
    req.desired.resources["r"].connection_details["k"] = b"\x00\xff"
    req.credentials["c"].credential_data.data["k"] = bytes(range(256))
    req.required_resources["empty"].SetInParent()
    req.required_resources["items"].items.add()
    req.required_schemas["s"].SetInParent()
    requests.append(req.SerializeToString())
    requests.append(field(3, 2, field(2, 2, b"")))  # desired.resources with an empty map entry
    return requests


def wire_confusion_requests():
    """Known field numbers with the wrong wire type, bad lengths and invalid UTF-8."""
    return [
        field(2, 0, varint(12345)),  # observed as a varint
        field(4, 5, b"\x01\x02\x03\x04"),  # input as fixed32
        field(1, 2, b"\xff\xff\xff"),  # meta holding garbage
        field(1, 2, field(1, 2, b"\xc3\x28\xa0\xa1")),  # tag with invalid UTF-8
        field(1, 2, field(2, 0, varint(99))),  # an unknown Capability value
        field(1, 2, field(2, 2, b"\x01\x02\x63")),  # packed capabilities
        varint((2 << 3) | 2) + varint(1 << 30),  # a length far past the end
        varint((2 << 3) | 2),  # a key with no length
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # a varint too long
        field(0, 0, b"\x01"),  # field number 0
        varint((5 << 3) | 3) + varint((5 << 3) | 4),  # an (empty) group
        varint((5 << 3) | 4),  # an end-group with no start
        varint((5 << 3) | 7),  # wire type 7
        composite_request(field(1, 2, field(2, 2, field(1, 0, varint(3))))),  # Value with null_value 3
    ]


def huge_requests(Request):
    """Large but legal requests: many fields, long lists, long strings, deep but parseable nesting."""
    requests = []
    req = Request()
    req.meta.tag = "many-fields"
    req.observed.composite.resource.update({f"field-{i}": i for i in range(50000)})
    requests.append(req.SerializeToString())
    req = Request()
    req.meta.tag = "long-list"
    req.observed.composite.resource.update({"spec": {"items": list(range(200000))}})
    requests.append(req.SerializeToString())
    req = Request()
    req.meta.tag = "long-string"
    req.observed.composite.resource.update({"spec": {"text": "x" * (3 * 1024 * 1024)}})
    requests.append(req.SerializeToString())
    requests.append(composite_request(nested_struct_bytes(25)))  # within the parser's recursion limit
    requests.append(composite_request(nested_list_bytes(40)))
    requests.append(composite_request(nested_struct_bytes(5000)))  # far past it
    requests.append(composite_request(nested_list_bytes(20000)))
    requests.append(composite_request(b"", tag=b"x" * (5 * 1024 * 1024)))  # past the 4 MiB limit
    return requests


def mutations(base, rng, count):
    out = []
    for _ in range(count):
        data = bytearray(base)
        kind = rng.randrange(6)
        if kind == 0 and data:  # flip bits
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:  # truncate
            data = data[: rng.randrange(len(data))]
        elif kind == 2:  # insert random bytes
            i = rng.randrange(len(data) + 1)
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif kind == 3 and data:  # delete a chunk
            i = rng.randrange(len(data))
            del data[i : i + rng.randint(1, 32)]
        elif kind == 4 and data:  # overwrite with a boundary byte
            data[rng.randrange(len(data))] = rng.choice([0x00, 0x7F, 0x80, 0xFF])
        else:  # duplicate a chunk
            i = rng.randrange(len(data) + 1)
            data[i:i] = data[i : i + rng.randint(1, 64)]
        out.append(bytes(data))
    return out


def random_bytes(rng, count):
    return [bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 2, 5, 17, 100, 1000]))) for _ in range(count)]


def fuzz(args, channel, Request, Response, base_request):
    seed, count = (int(x) for x in args.fuzz.split(":"))
    rng = random.Random(seed)
    base = base_request.SerializeToString()
    cases = []
    cases += [("wrong-types", r) for r in wrong_type_requests(Request)]
    cases += [("wire-confusion", r) for r in wire_confusion_requests()]
    cases += [("huge", r) for r in huge_requests(Request)]
    cases += [("mutated", r) for r in mutations(base, rng, count)]
    cases += [("random", r) for r in random_bytes(rng, max(1, count // 4))]

    codes = {}
    bad = []
    for index, (family, payload) in enumerate(cases):
        code, details, body = call(channel, args.method, payload, args.timeout)
        codes[code] = codes.get(code, 0) + 1
        problem = None
        if code not in ACCEPTABLE:
            problem = f"status {code}: {details}"
        elif code == "OK":
            try:
                response = Response.FromString(body)
            except Exception as e:  # noqa: BLE001  (any parse failure breaks the contract)
                problem = f"OK with an unparseable response: {e}"
            else:
                # The requests name no registered composer or kind, so every answer is a Fatal result.
                if not any(r.severity == 1 for r in response.results):
                    problem = "OK without a Fatal result"
        elif not details:
            problem = f"status {code} without a message"
        if problem:
            bad.append({"case": index, "family": family, "size": len(payload), "problem": problem[:300]})

    after, after_details, _ = call(channel, args.method, base, args.timeout)
    return {"cases": len(cases), "codes": codes, "bad": bad, "after": after, "afterDetails": after_details}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--descriptor", required=True, help="serialized FileDescriptorProto of run_function.proto")
    parser.add_argument("--address", required=True, help="host:port of the server")
    parser.add_argument("--method", default="v1", help="v1, v1beta1 or a full method path")
    parser.add_argument("--request", help="proto3 JSON RunFunctionRequest")
    parser.add_argument("--raw", help="file whose bytes are sent as the message")
    parser.add_argument("--fuzz", help="SEED:COUNT of malformed requests derived from --request")
    parser.add_argument("--gzip", action="store_true", help="compress the request message")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-call deadline, seconds")
    parser.add_argument("--ca", help="CA certificate (PEM); enables TLS")
    parser.add_argument("--cert", help="client certificate (PEM)")
    parser.add_argument("--key", help="client key (PEM)")
    parser.add_argument("--server-name", help="name to verify the server certificate against")
    args = parser.parse_args()
    args.method = path_of(args.method)

    Request, Response = load_messages(args.descriptor)
    request = None
    if args.request:
        with open(args.request, encoding="utf-8") as f:
            request = json_format.Parse(f.read(), Request())

    with channel_for(args) as channel:
        if args.fuzz:
            output = fuzz(args, channel, Request, Response, request)
        else:
            if args.raw:
                with open(args.raw, "rb") as f:
                    payload = f.read()
            else:
                payload = request.SerializeToString()
            code, details, body = call(channel, args.method, payload, args.timeout, gzip=args.gzip)
            output = {"code": code, "details": details}
            if body is not None:
                output["response"] = json_format.MessageToDict(Response.FromString(body))
    json.dump(output, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
