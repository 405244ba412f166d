// Command monotable is the project's CLI.
//
//	monotable local [--addr 127.0.0.1:8000] [--region us-east-1] [--data DIR]
//	                [--credentials ID:SECRET] [--ttl-sweep 1s] [--debug]   serve the in-memory DynamoDB
//	monotable invoke <Function> [-e event.json] [--template template.yaml] [--env-vars env.json]
//	                                                      invoke a function of a SAM template once
//	monotable start-api [--addr 127.0.0.1:3000] [--template template.yaml]
//	                    [--dynamodb-addr 127.0.0.1:8000]   run a SAM app: its HTTP API and streams
//	monotable version
//
// invoke and start-api run the template's Go functions as real bootstrap
// processes against a local Lambda Runtime API, with no Docker. See
// monotable <command> --help for every flag.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "local":
		return runLocal(args[1:], stdout, stderr)
	case "invoke":
		return runInvoke(args[1:], stdout, stderr)
	case "start-api":
		return runStartAPI(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "monotable", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "monotable: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: monotable <command> [flags]

commands:
  local       serve the in-memory DynamoDB over HTTP (DynamoDB JSON protocol);
              --data DIR keeps the tables across restarts (monotable local --help)
  invoke      invoke a function of a SAM template once, without Docker
              (monotable invoke <Function> -e event.json)
  start-api   run a SAM app without Docker: its HttpApi routes, its stream
              consumers, and the in-memory DynamoDB they use
  version     print the version
`)
}
