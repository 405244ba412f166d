// Package wire serves a DynamoDB backend over the DynamoDB JSON 1.0
// protocol, so that any client (the AWS SDKs and CLI, boto3, guregu/dynamo,
// GUI tools, a SAM-local Lambda) can use it as its endpoint.
//
// # Backends
//
// [NewHandler] takes any value with the method set of *dynamodb.Client (and,
// for the DynamoDB Streams API, of *dynamodbstreams.Client), with the SDK's
// own input, output and error types. It finds the operations by reflection
// once, at construction: whatever the backend implements is served, the rest
// is an UnknownOperationException.
//
// # Fidelity
//
// The handler answers as the service does, down to the bytes where clients
// look: the order of its checks (size, method and content type, JSON syntax,
// operation, authentication, member types), the __type namespaces and the
// spelling of message members, the SerializationException messages for
// members of the wrong JSON type, x-amzn-RequestId and x-amz-crc32 on every
// response, and Java-style doubles ("1.0", "1.309988345372E9").
//
// # Codec
//
// Requests and responses are coded by plans compiled once per SDK type and
// cached, without encoding/json: the exported field names of the SDK
// structs are the wire member names. The AttributeValue union, the bulk of
// every item, has a hand-written fast path.
//
// # In process
//
// [NewTransport] serves requests with no socket, and [NewClient] and
// [NewStreamsClient] build real SDK clients on it, so tests run the exact
// SDK behaviour (serialisation, signing, retries, error wrapping) against
// the backend.
//
// # Security
//
// By default any well-formed SigV4 signature is accepted, as DynamoDB Local
// does; [WithCredentials] pins a key pair and verifies signatures. Request
// bodies are capped ([WithMaxBodySize]) and JSON nesting is bounded. Errors
// that are not API errors, and panics in the backend, are answered with the
// service's InternalServerError and logged; their text never reaches the
// client.
package wire
