package httpbench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime/pprof"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

// Server is an endpoint served from this process.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	srv      *http.Server
	done     chan error
	close    func() error
}

// StartMonotable serves a fresh store on a free loopback port, the way
// `monotable local` does: wire.NewHandler(memstore.New()) in an
// http.Server.
func StartMonotable() (*Server, error) {
	st := memstore.New()
	s, err := Serve(wire.NewHandler(st))
	if err != nil {
		st.Close()
		return nil, err
	}
	s.close = st.Close
	return s, nil
}

// Serve serves h on a free loopback port.
func Serve(h http.Handler) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint: "http://" + l.Addr().String(),
		srv:      &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan error, 1),
	}
	// Every connection's goroutine inherits the labels, so that a CPU
	// profile of the driver tells the server's samples from the client's
	// (go tool pprof -tagfocus side=server).
	go pprof.Do(context.Background(), pprof.Labels("side", "server"), func(context.Context) {
		s.done <- s.srv.Serve(l)
	})
	return s, nil
}

// Close stops the server, dropping open connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	if e := <-s.done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if s.close != nil {
		if e := s.close(); err == nil {
			err = e
		}
	}
	return err
}

// NewClient returns an SDK client for endpoint over loopback TCP:
// static credentials, us-east-1, no retries (a failed request is an
// answer, and counts as wrong), and enough idle keep-alive connections for
// conns concurrent workers.
func NewClient(endpoint string, conns int) *dynamodb.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "bench", Source: "httpbench"}, nil
		}),
		Retryer:    aws.NopRetryer{},
		HTTPClient: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	})
}

// closeIdle drops c's idle connections, so that a finished contender holds
// no sockets.
func closeIdle(c *dynamodb.Client) {
	if hc, ok := c.Options().HTTPClient.(*http.Client); ok {
		hc.CloseIdleConnections()
	}
}
