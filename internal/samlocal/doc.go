// Package samlocal runs a SAM app locally without Docker: the Go functions
// of a template, built for this machine, as real bootstrap processes
// against a local Lambda Runtime API (internal/runtimeapi), with the
// template's DynamoDB tables in an in-memory store. It is what
// `monotable invoke` and `monotable start-api` do.
//
//	tpl, err := samlocal.Load("template.yaml", samlocal.LoadOptions{})
//	app, err := samlocal.Start(ctx, samlocal.Config{
//		Template: tpl, Store: store, Endpoint: "http://127.0.0.1:8000", Streams: true,
//	})
//	defer app.Close()
//	http.ListenAndServe("127.0.0.1:3000", app) // the HttpApi routes
//
// # The template
//
// goformation parses the template (YAML or JSON, short forms included);
// the intrinsic functions are resolved here, to local values: a parameter
// is its override or Default, a table's Ref its local name and its Arn and
// StreamArn the store's, any other resource's Ref its logical ID (as sam
// local does), and a secret the template creates
// (AWS::SecretsManager::Secret, through {{resolve:secretsmanager:…}}) a
// random string made once per run. Globals apply as SAM applies them.
//
// A table is named by its TableName; without one, by the name env.json
// gives the variables the template sets to the table's Ref (TABLE_NAME),
// so that the functions and the table agree; else by its logical ID. The
// table is created as CloudFormation would create it: keys, indexes,
// billing, stream, encryption, then TTL and point-in-time recovery.
//
// # Where a function's code is
//
// A function runs locally when its Runtime is a Go one (provided.al2023,
// provided.al2, provided, go1.x) and its Go main package can be found:
//
//   - with Metadata BuildMethod: makefile (how `sam build` builds it), the
//     package is the last ./relative path in the recipe of the target
//     build-<Function> of the Makefile in CodeUri: for
//     `$(lambda_build) ./examples/sessions/cmd/sessions`, that directory,
//     relative to CodeUri;
//   - otherwise CodeUri itself, when it is a main package.
//
// The Makefile cross-compiles for the deployment (linux/arm64); local runs
// build the same package for this machine instead, with the same flags
// (runtimeapi.Build).
//
// # Environment
//
// A function gets its template variables (Globals merged), with env.json's
// values for the variables the template declares (sam local's rule: by
// function, then under "Parameters"), then: AWS_ENDPOINT_URL_DYNAMODB and
// AWS_ENDPOINT_URL_DYNAMODB_STREAMS set to the local endpoint, whatever
// env.json says (its host.docker.internal is for sam local's containers),
// dummy credentials unless set, and the region, with the rest of Lambda's
// variables (runtimeapi).
//
// # Events
//
// HttpApi events become routes of an API Gateway HTTP API, payload format
// 2.0 (see App.ServeHTTP); DynamoDB events on a table's stream become event
// source mappings that read the store's stream in process and deliver
// events.DynamoDBEvent batches, with BatchSize, the batching window,
// FilterCriteria, MaximumRetryAttempts and ReportBatchItemFailures as Lambda
// applies them. BisectBatchOnFunctionError, MaximumRecordAgeInSeconds,
// ParallelizationFactor and on-failure destinations are not modelled.
package samlocal
