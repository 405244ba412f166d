package wire

import (
	"log/slog"
	"time"
)

// Option configures [NewHandler].
type Option func(*config)

type config struct {
	region  string
	logger  *slog.Logger
	maxBody int64
	keyID   string
	secret  string
	now     func() time.Time
}

// DefaultMaxBodySize is the largest request body the service accepts.
const DefaultMaxBodySize = 16 << 20

// WithRegion sets the region the endpoint answers for: it appears in the
// health check and, with [WithCredentials], in the credential scope that
// signatures must use. The default is us-east-1.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithLogger sets the logger: one debug line per request (operation,
// status, duration), and an error line for each internal failure, whose
// details never reach the client. The default is slog.Default(); nil
// discards all.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxBodySize sets the largest accepted request body, in bytes; larger
// requests get the service's 413. The default, and what n <= 0 means, is
// [DefaultMaxBodySize].
func WithMaxBodySize(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithCredentials pins the one key pair the endpoint accepts and makes it
// verify SigV4 signatures as the service does. Without it, as with DynamoDB
// Local, any well-formed signature from any key is accepted.
func WithCredentials(accessKeyID, secretAccessKey string) Option {
	return func(c *config) { c.keyID, c.secret = accessKeyID, secretAccessKey }
}

// withClock sets the clock signatures are checked against.
func withClock(now func() time.Time) Option { return func(c *config) { c.now = now } }
