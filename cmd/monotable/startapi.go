package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
	"github.com/monotable/monotable/internal/samlocal"
)

const startAPIUsage = `usage: monotable start-api [flags]

Runs a SAM app locally, like sam local start-api but without Docker: builds
the template's Go functions for this machine and serves its HttpApi routes
as API Gateway does (payload format 2.0 events; functions stay warm between
requests), delivers the table's stream to its DynamoDB-event functions, and
serves the in-memory DynamoDB the functions use on --dynamodb-addr, with TTL
sweeps on, so that the AWS CLI or any SDK can look inside. SIGINT or SIGTERM
stops it and every function process.

flags:
`

// apiOptions are start-api's settings.
type apiOptions struct {
	addr, dynamoAddr string
	template         string
	envVars          string
	region           string
	ttlSweep         time.Duration
	maxInstances     int
	log              *slog.Logger
	logs             io.Writer // the functions' log streams

	store      *memstore.Store   // tests pass one with their clock
	bootstraps map[string]string // tests pass prebuilt ones
}

// apiServer is a running start-api.
type apiServer struct {
	apiURL, dynamoURL string
	app               *samlocal.App
	store             *memstore.Store
	api, endpoint     *http.Server
	errc              <-chan error // either server's failure
}

func runStartAPI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("start-api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), startAPIUsage)
		fs.PrintDefaults()
	}
	var o apiOptions
	fs.StringVar(&o.addr, "addr", "127.0.0.1:3000", "the HTTP API's listen `address`")
	fs.StringVar(&o.dynamoAddr, "dynamodb-addr", "127.0.0.1:8000", "the DynamoDB endpoint's listen `address`")
	fs.StringVar(&o.template, "template", "template.yaml", "the SAM template `file`")
	fs.StringVar(&o.template, "t", "template.yaml", "same as --template")
	fs.StringVar(&o.envVars, "env-vars", "", "an env.json `file` overriding the functions' variables, as sam local reads it")
	fs.StringVar(&o.envVars, "n", "", "same as --env-vars")
	fs.StringVar(&o.region, "region", "us-east-1", "the `region` of the functions and the store")
	fs.DurationVar(&o.ttlSweep, "ttl-sweep", time.Second, "delete expired TTL items this often; 0 never")
	fs.IntVar(&o.maxInstances, "max-instances", 4, "concurrent execution environments per function, started as requests need them")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "monotable start-api: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if o.ttlSweep < 0 || o.maxInstances < 1 {
		fmt.Fprintln(stderr, "monotable start-api: --ttl-sweep must not be negative, --max-instances must be at least 1")
		return 2
	}
	o.log = slog.New(slog.NewTextHandler(stderr, nil))
	o.logs = stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := startAPI(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "monotable start-api: %v\n", err)
		return 1
	}
	s.describe(stdout)
	code := 0
	select {
	case err := <-s.errc:
		fmt.Fprintf(stderr, "monotable start-api: %v\n", err)
		code = 1
	case <-ctx.Done():
	}
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "monotable start-api: shutdown: %v\n", err)
		code = 1
	}
	o.log.Info("stopped")
	return code
}

// startAPI starts the endpoint, the app and the HTTP API. Builds run
// under ctx.
func startAPI(ctx context.Context, o apiOptions) (_ *apiServer, err error) {
	t, ev, err := loadTemplate(o.template, o.envVars, o.region)
	if err != nil {
		return nil, err
	}
	// Listen first: a busy port fails before minutes of builds.
	dln, err := net.Listen("tcp", o.dynamoAddr)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB endpoint: %w (is `make local` running? --dynamodb-addr picks another address)", err)
	}
	aln, err := net.Listen("tcp", o.addr)
	if err != nil {
		dln.Close()
		return nil, fmt.Errorf("HTTP API: %w", err)
	}
	for _, ln := range []net.Listener{dln, aln} {
		if host, _, _ := net.SplitHostPort(ln.Addr().String()); !isLoopback(host) {
			o.log.Warn("listening on a non-loopback address: anyone who can reach it can use it", "addr", ln.Addr().String())
		}
	}
	s := &apiServer{store: o.store, apiURL: "http://" + aln.Addr().String(), dynamoURL: "http://" + dln.Addr().String()}
	if s.store == nil {
		s.store = memstore.New(memstore.WithRegion(o.region))
	}
	errc := make(chan error, 2)
	s.errc = errc
	var derr <-chan error
	s.endpoint, derr = serveEndpoint(dln, s.store, wire.WithRegion(o.region), wire.WithLogger(o.log))
	go func() {
		if err := <-derr; !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("DynamoDB endpoint: %w", err)
		}
	}()
	defer func() {
		if err != nil {
			aln.Close()
			s.Close()
		}
	}()
	if o.ttlSweep > 0 {
		s.store.StartSweeper(o.ttlSweep)
	}
	s.app, err = samlocal.Start(ctx, samlocal.Config{
		Template: t, Store: s.store, Endpoint: s.dynamoURL, EnvVars: ev, Streams: true,
		Bootstraps: o.bootstraps, MaxInstances: o.maxInstances, Logs: o.logs, Log: o.log,
	})
	if err != nil {
		return nil, err
	}
	s.api = &http.Server{Handler: s.app, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.api.Serve(aln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("HTTP API: %w", err)
		}
	}()
	return s, nil
}

// describe says where everything listens.
func (s *apiServer) describe(w io.Writer) {
	fmt.Fprintf(w, "monotable: DynamoDB endpoint on %s (in memory)\n", s.dynamoURL)
	for _, tb := range s.app.Tables() {
		fmt.Fprintf(w, "  table %s\n", tb.Name)
	}
	fmt.Fprintf(w, "monotable: HTTP API on %s\n", s.apiURL)
	for _, r := range s.app.Routes() {
		m, p := r.Method, r.Path
		if p == "" {
			m, p = "", "$default"
		}
		fmt.Fprintf(w, "  %-7s %-44s %s\n", m, p, r.Function)
	}
}

// Close stops the API (letting requests in flight finish), the stream
// mappings and the functions' processes, then the endpoint.
func (s *apiServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if s.api != nil {
		errs = append(errs, s.api.Shutdown(ctx))
	}
	if s.app != nil {
		errs = append(errs, s.app.Close())
	}
	if s.endpoint != nil {
		errs = append(errs, s.endpoint.Shutdown(ctx))
	}
	errs = append(errs, s.store.Close())
	return errors.Join(errs...)
}
