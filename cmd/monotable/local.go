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
)

// runLocal serves the store until SIGINT or SIGTERM, then drains in-flight
// requests before exiting.
func runLocal(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "listen address")
	region := fs.String("region", "us-east-1", "region reported in ARNs")
	debug := fs.Bool("debug", false, "log every request")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "monotable", version)
		return 0
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
	store := memstore.New(memstore.WithRegion(*region))
	srv := &http.Server{
		Handler:           wire.NewHandler(store, wire.WithRegion(*region), wire.WithLogger(log)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(stdout, "monotable: DynamoDB endpoint on http://%s (region %s, in memory)\n", ln.Addr(), *region)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
