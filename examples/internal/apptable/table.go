// Package apptable is the one DynamoDB table that both examples share: its
// layout, its options, and the models of both apps registered on it, so
// that the table created locally, the one rendered into template.yaml and
// the one each function uses are the same.
package apptable

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/examples/leaderboard"
	"github.com/monotable/monotable/examples/sessions"
	"github.com/monotable/monotable/orm"
)

// Layout is the single-table layout: pk/sk, and two overloaded global
// indexes, gsi1 (a user's sessions, by creation time) and gsi2 (a game's
// board, a number sort key: the points). The type attribute is "type" and
// the TTL attribute "ttl", the orm's defaults.
var Layout = orm.Layout{GSIs: orm.GSIs(2)}

// Options are the table's settings beyond its layout, rendered into
// template.yaml: the stream the session audit reads (old and new images, so
// a removed session's owner is known), point-in-time recovery, and
// encryption with the AWS-managed KMS key.
var Options = []orm.TableOption{
	Layout,
	orm.WithStream(types.StreamViewTypeNewAndOldImages),
	orm.WithPITR(),
	orm.WithSSE(""),
}

// New returns the table reached through client under name, with the models
// of both apps registered. Every function registers all of them, whichever
// app it serves: the key attribute types come from the models, and a table
// created from only some of them (locally, see FromEnv) would be wrong for
// the others.
func New(client orm.Client, name string, opts ...orm.TableOption) (*orm.Table, error) {
	t := orm.NewTable(client, name, append(append([]orm.TableOption(nil), Options...), opts...)...)
	if err := sessions.Register(t); err != nil {
		return nil, fmt.Errorf("apptable: %w", err)
	}
	if err := leaderboard.Register(t); err != nil {
		return nil, fmt.Errorf("apptable: %w", err)
	}
	return t, nil
}
