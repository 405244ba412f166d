package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
	"github.com/monotable/monotable/internal/samlocal"
)

const invokeUsage = `usage: monotable invoke <Function> [-e event.json] [flags]

Invokes a function of a SAM template once, like sam local invoke but without
Docker: builds the function's Go package for this machine, creates the
template's tables in an in-memory DynamoDB served on a free loopback port,
runs the real bootstrap against a local Lambda Runtime API with the
template's environment, and feeds it the event. The response goes to
stdout; the function's logs, with Lambda's REPORT line (init and invoke
durations), to stderr. The exit status is 1 if the function fails.

flags:
`

// testBootstraps, when set by a test, are prebuilt bootstraps by function.
var testBootstraps map[string]string

func runInvoke(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), invokeUsage)
		fs.PrintDefaults()
	}
	var event, tpl, envVars string
	fs.StringVar(&event, "e", "", "the event: a JSON `file`, or - for stdin ({} when not given)")
	fs.StringVar(&event, "event", "", "same as -e")
	fs.StringVar(&tpl, "template", "template.yaml", "the SAM template `file`")
	fs.StringVar(&tpl, "t", "template.yaml", "same as --template")
	fs.StringVar(&envVars, "env-vars", "", "an env.json `file` overriding the functions' variables, as sam local reads it")
	fs.StringVar(&envVars, "n", "", "same as --env-vars")
	region := fs.String("region", "us-east-1", "the `region` of the functions and the store")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "monotable invoke: name one function of the template")
		fs.Usage()
		return 2
	}
	name := pos[0]

	payload := []byte("{}")
	switch event {
	case "":
	case "-":
		payload, err = io.ReadAll(os.Stdin)
	default:
		payload, err = os.ReadFile(event)
	}
	if err != nil {
		fmt.Fprintf(stderr, "monotable invoke: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, nil))

	t, ev, err := loadTemplate(tpl, envVars, *region)
	if err != nil {
		fmt.Fprintf(stderr, "monotable invoke: %v\n", err)
		return 1
	}
	store := memstore.New(memstore.WithRegion(*region))
	defer store.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "monotable invoke: %v\n", err)
		return 1
	}
	srv, _ := serveEndpoint(ln, store, wire.WithRegion(*region))
	defer srv.Close()

	app, err := samlocal.Start(ctx, samlocal.Config{
		Template: t, Store: store, Endpoint: "http://" + ln.Addr().String(), EnvVars: ev,
		Functions: []string{name}, Bootstraps: testBootstraps, Logs: stderr, Log: log,
	})
	if err != nil {
		fmt.Fprintf(stderr, "monotable invoke: %v\n", err)
		return 1
	}
	defer app.Close()
	res, err := app.Invoke(ctx, name, payload)
	if err != nil {
		fmt.Fprintf(stderr, "monotable invoke: %v\n", err)
		return 1
	}
	stdout.Write(res.Payload)
	fmt.Fprintln(stdout)
	if res.FunctionError != nil {
		return 1
	}
	return 0
}

// loadTemplate reads the template and, if named, the env.json file.
func loadTemplate(path, envVars, region string) (*samlocal.Template, samlocal.EnvVars, error) {
	t, err := samlocal.Load(path, samlocal.LoadOptions{Region: region})
	if err != nil {
		return nil, nil, err
	}
	var ev samlocal.EnvVars
	if envVars != "" {
		if ev, err = samlocal.ReadEnvVars(envVars); err != nil {
			return nil, nil, err
		}
	}
	return t, ev, nil
}

// parseInterleaved parses flags placed before, between and after the
// positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
