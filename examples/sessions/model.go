// Package sessions is a session store on DynamoDB: sessions that expire by
// TTL, read strongly consistent, refreshed under optimistic locking,
// revoked, listed per user through an index, and audited from the table's
// stream, where a revocation and a TTL expiry are told apart.
//
// It shares one table with the leaderboard example (see
// examples/internal/apptable). Its items:
//
//	entity   pk              sk                      gsi1pk       gsi1sk
//	session  SESSION#<id>    SESSION                 USER#<user>  SESSION#<created>#<id>
//	audit    USER#<user>     AUDIT#<at>#<session>
//
// A session carries its expiry in the table's TTL attribute; DynamoDB deletes
// it some time after it passes, and the orm never serves it in between. An
// audit entry is written by the stream consumer for every session that ends,
// and expires itself after AuditRetention.
package sessions

import (
	"fmt"
	"time"

	"github.com/monotable/monotable/orm"
)

// Session is a login session. Its ID is the bearer secret: 130 random bits.
type Session struct {
	_       orm.Entity `entity:"session" pk:"SESSION#{ID}" sk:"SESSION" gsi1pk:"USER#{UserID}" gsi1sk:"SESSION#{Created}#{ID}"`
	ID      string     `dynamo:"id" json:"id" validate:"required,max=64"`
	UserID  string     `dynamo:"user" json:"userId" validate:"required,max=128"`
	Agent   string     `dynamo:"agent,omitempty" json:"agent,omitempty" validate:"max=256"`
	Created time.Time  `dynamo:"created" json:"created" orm:"created"`
	Expires time.Time  `dynamo:"expires,unixtime" json:"expires" orm:"ttl"`
	Version int64      `dynamo:"v" json:"version" orm:"version"`
}

// Audit records how a session ended.
type Audit struct {
	_         orm.Entity `entity:"audit" pk:"USER#{UserID}" sk:"AUDIT#{At}#{SessionID}"`
	UserID    string     `dynamo:"user" json:"userId"`
	SessionID string     `dynamo:"session" json:"sessionId"`
	At        time.Time  `dynamo:"at" json:"at"`
	Event     string     `dynamo:"event" json:"event" validate:"oneof=revoked expired"`
	Expires   time.Time  `dynamo:"expires,unixtime" json:"-" orm:"ttl"`
}

// Audit events.
const (
	Revoked = "revoked" // deleted by DELETE /sessions/{id}
	Expired = "expired" // deleted by DynamoDB's TTL process
)

// AuditRetention is how long an audit entry is kept.
const AuditRetention = 90 * 24 * time.Hour

// Register registers the package's models on t.
func Register(t *orm.Table) error {
	if _, err := orm.Register[Session](t); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if _, err := orm.Register[Audit](t); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}
