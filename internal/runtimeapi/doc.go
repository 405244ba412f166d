// Package runtimeapi runs Lambda functions locally without Docker: a
// function's real bootstrap binary, started as a process, talks to a local
// implementation of the Lambda Runtime API (version 2018-06-01), the same
// contract `sam local invoke` serves inside its container.
//
//	path, err := runtimeapi.Build(ctx, "./cmd/scores", dir, "")
//	fn, err := runtimeapi.New(runtimeapi.Config{
//		Bootstrap: path,
//		Name:      "Scores",
//		Timeout:   3 * time.Second,
//		Env:       map[string]string{"TABLE_NAME": "app", "AWS_ENDPOINT_URL_DYNAMODB": endpoint},
//	})
//	defer fn.Close()
//	res, err := fn.Invoke(ctx, event)
//
// # Execution environments
//
// A [Function] keeps execution environments as Lambda does. The first
// invocation starts one: the runtime process and a Runtime API listener of
// its own on 127.0.0.1, whose address the runtime finds in
// AWS_LAMBDA_RUNTIME_API along with the rest of Lambda's environment. The
// environment then stays warm and serves later invocations one at a time; up
// to Config.MaxInstances environments serve invocations in parallel. An
// environment whose runtime times out, crashes or exits is replaced on the
// next invocation, and the [Result] says what happened in Lambda's words:
// Sandbox.Timedout, Runtime.ExitError, Function.ResponseSizeTooLarge.
//
// # Logs
//
// A runtime's stdout and stderr form its log stream, with the START, END and
// REPORT lines Lambda adds. Each Result carries its own invocation's part of
// the stream; Config.Logs receives all of it live.
//
// # Processes
//
// Each runtime runs in a process group of its own, so that a timeout or
// [Function.Close] kills whatever it started too. On Linux the kernel also
// kills it if the process that started it dies.
package runtimeapi
