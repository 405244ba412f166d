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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/persist"
	"github.com/monotable/monotable/internal/memstore/wire"
)

const localUsage = `usage: monotable local [flags]

Serves the in-memory DynamoDB over HTTP (the DynamoDB JSON 1.0 protocol) for
the AWS CLI, the SDKs, boto3, guregu/dynamo or a SAM-local Lambda. Tables live
in memory; with --data they survive restarts and crashes.

flags:
`

// runLocal serves the store until SIGINT or SIGTERM, then drains in-flight
// requests before exiting.
func runLocal(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), localUsage)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8000", "listen `address`; anything but loopback is reachable by others (warned)")
	region := fs.String("region", "us-east-1", "`region` reported in ARNs and checked in signatures")
	data := fs.String("data", "", "keep tables in `DIR` (snapshot + fsynced log); in memory only if empty")
	creds := fs.String("credentials", "", "accept only this key pair, `ID:SECRET`, and verify SigV4 signatures (default: any key)")
	sweep := fs.Duration("ttl-sweep", time.Second, "delete expired TTL items this often; 0 never")
	compact := fs.String("compact-size", "64MB", "with --data, snapshot and restart the log once it passes `SIZE` (bytes, or KB/MB/GB) and the last snapshot's size")
	debug := fs.Bool("debug", false, "log every request")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "monotable", version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "monotable local: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var opts []wire.Option
	if *creds != "" {
		id, secret, ok := strings.Cut(*creds, ":")
		if !ok || id == "" || secret == "" {
			fmt.Fprintln(stderr, "monotable local: --credentials wants ID:SECRET")
			return 2
		}
		opts = append(opts, wire.WithCredentials(id, secret))
	}
	compactSize, err := parseSize(*compact)
	if err != nil {
		fmt.Fprintf(stderr, "monotable local: --compact-size: %v\n", err)
		return 2
	}
	if *sweep < 0 {
		fmt.Fprintln(stderr, "monotable local: --ttl-sweep must not be negative")
		return 2
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "monotable local: %v\n", err)
		return 1
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !isLoopback(host) {
		log.Warn("listening on a non-loopback address: anyone who can reach it can read and write every table", "addr", ln.Addr().String())
	}

	// backend is what the handler serves: the store, or the store behind
	// its persistence layer. Both have the store's sweeper and Close.
	var backend interface {
		wire.Backend
		SweepExpired() int
		StartSweeper(time.Duration)
		Close() error
	}
	store := memstore.New(memstore.WithRegion(*region))
	backend = store
	where := "in memory"
	if *data != "" {
		ps, err := persist.Open(*data, store, persist.WithCompactSize(compactSize), persist.WithLogger(log))
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "monotable local: %v\n", err)
			return 1
		}
		backend = ps
		where = "data in " + *data
	}
	if *sweep > 0 {
		// Items swept before a restart come back with the log (sweeps are
		// not logged); remove them before anyone reads them.
		backend.SweepExpired()
		backend.StartSweeper(*sweep)
	}
	defer func() {
		if err := backend.Close(); err != nil {
			fmt.Fprintf(stderr, "monotable local: closing the store: %v\n", err)
		}
	}()

	opts = append(opts, wire.WithRegion(*region), wire.WithLogger(log))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, errc := serveEndpoint(ln, backend, opts...)
	fmt.Fprintf(stdout, "monotable: DynamoDB endpoint on http://%s (region %s, %s)\n", ln.Addr(), *region, where)
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "monotable local: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "monotable local: shutdown: %v\n", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseSize reads a byte count with an optional KB, MB or GB suffix
// (powers of 1024).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a positive size such as 64MB", s)
	}
	return n * mult, nil
}
