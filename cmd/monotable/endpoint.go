package main

import (
	"net"
	"net/http"
	"time"

	"github.com/monotable/monotable/internal/memstore/wire"
)

// serveEndpoint serves backend on ln as a DynamoDB endpoint (the DynamoDB
// JSON 1.0 protocol and the Streams API), in the background, until the
// returned server is shut down. The channel carries Serve's error.
func serveEndpoint(ln net.Listener, backend wire.Backend, opts ...wire.Option) (*http.Server, <-chan error) {
	srv := &http.Server{
		Handler:           wire.NewHandler(backend, opts...),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	return srv, errc
}
